"""Write paths for recaps: drafting, editing with versions, the publishing workflow."""
