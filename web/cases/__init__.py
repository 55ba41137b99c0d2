"""Case pages for case staff: the list of visible cases and a case's header and file sections."""
