"""Write paths of the events app, one module per area (topics, chats, notifications)."""
