"""The only write path of the liaison program, one module per workflow:

- ``applications``: drafts, submission, review, the status machine, notes;
- ``training``: sessions, registrations and the waitlist, attendance, reminders;
- ``emails``: templates staff edit, the outbox and its exactly-once sender, bulk e-mail;
- ``privacy``: views and exports in the audit trail, anonymisation and the purge.
"""
