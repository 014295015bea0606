"""Pages of the liaison program, one module per audience:

- ``public``: the program page and the directory (everyone);
- ``applicant``: apply, status, edit, withdraw, training registration (the applicant);
- ``review``: the queue, one application, decisions, bulk e-mail (coordinators);
- ``training``: sessions, rosters, attendance, invitations (coordinators);
- ``staff``: coverage and the e-mail templates (coordinators);
- ``data``: download your data, delete your account (every signed-in user).
"""
