"""Writes of the subscriptions app: the mirror, change requests and their state machine.

- mirror.py: fill the mirror from Partner Center (an activated order, a sync, a refresh)
- status.py: the change request's state machine and its event rows
- changes.py: creating change requests (the rules of what is allowed now) and running them
- change_steps.py: the steps a run shares with renewal plans and upgrades (PATCH, 202, outcome)
- upgrades.py: upgrades now (transitions): the targets offered, the request, following it
- staff.py: staff's retry and cancel
"""
