"""Passwords: argon2id hashes (argon2-cffi, RFC 9106 parameters of its default profile), the office's
password rules (setting ``password_min_length``; never equal to the user name) and one-time passwords
for an administrator's reset."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from lantian.errors import InputError

_HASHER = PasswordHasher()
#: Verified against when the user does not exist, so that timing does not reveal user names.
_DUMMY_HASH = _HASHER.hash("lantian-no-such-user")
#: Default of the setting ``password_min_length``.
DEFAULT_MIN_LENGTH = 10
#: Longest password accepted (argon2 takes any length; this bounds the work of one login).
MAX_LENGTH = 200
#: Letters of a one-time password: no 0/O, 1/l/I, which are misread when a password is read out.
_ONE_TIME_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def check_new_password(password: str, username: str, min_length: int = DEFAULT_MIN_LENGTH) -> None:
    """Refuse a password that breaks the rules, saying which rule and what to do."""
    if len(password) < min_length:
        raise InputError(f"密码至少需要 {min_length} 个字符（现为 {len(password)} 个）；请设置更长的密码。")
    if len(password) > MAX_LENGTH:
        raise InputError(f"密码最多 {MAX_LENGTH} 个字符；请设置较短的密码。")
    if password.strip().casefold() == username.strip().casefold():
        raise InputError("密码不能与用户名相同；请另设密码。")


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (rules are checked by :func:`check_new_password`)."""
    if not password:
        raise InputError("密码为空；请设置密码。")
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True when ``password`` matches the stored argon2 hash; constant work when there is none."""
    try:
        return _HASHER.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def one_time_password(length: int = 14) -> str:
    """A random password to be read out once to its user, who must change it at the next login."""
    return "".join(secrets.choice(_ONE_TIME_ALPHABET) for _ in range(length))
