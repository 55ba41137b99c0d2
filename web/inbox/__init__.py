"""The in-app notification inbox (unread count in the navigation, mark as read)."""
