"""Who may do what with accounts. Views use these to answer 403; services call them again
before every write, so a forged request gets the same answer as the page."""


def _is_member(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and not user.is_deleted)


def can_manage_staff(user) -> bool:
    """Only the community owner grants and revokes staff roles, edits departments and reads the
    audit log; Django's admin is for the operators who run the servers."""
    return _is_member(user) and user.is_community_owner


def can_delete_account(user) -> bool:
    """Anyone may leave, except while they hold the owner role: a community must never be left
    without someone who can appoint its staff."""
    return _is_member(user) and not user.is_community_owner


def can_edit_profile(user) -> bool:
    return _is_member(user)
