"""The survivor's review of their own record: start it, print the record (PDF), and who viewed the file."""
