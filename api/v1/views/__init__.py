"""Views of API v1: public reads, comms staff (chats, capture, moderation), the liaison
program (an applicant's own application, the coordinators' review)."""
