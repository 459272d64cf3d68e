"""Every change of state of the registry goes through a function here (HackSoft style: keyword-only,
one path for the wizard, the admin, commands and tests).

- applications.py: the applicant's side (create, save steps, documents, consent, invitations,
  personal data).
- municipalities.py: a municipality joins (its groups and workflow).
- paperwork.py: the application's paperwork drafted from its data (PDF and DOCX).
- review.py: submit, observe, answer, approve, reject, suspend, registry numbers (the workflow).
"""
