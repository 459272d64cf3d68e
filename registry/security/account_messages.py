"""Messages of django-allauth's Python code, and of Django's password validators, that applicants
read, listed so that the portal's catalogue (locale/, which takes precedence over the apps') words
them with "tú" like every other page: allauth's Spanish catalogue says "usted" ("Por favor,
escriba su contraseña actual"), Django's "Su contraseña debe contener…".
Never imported; `makemessages` reads the strings from here."""

from django.utils.translation import gettext_noop, ngettext_lazy

ALLAUTH_MESSAGES = (
    gettext_noop("You cannot remove your primary email address."),
    gettext_noop("The email address and/or password you specified are not correct."),
    gettext_noop("Please type your current password."),
    gettext_noop("You cannot add more than %d email addresses."),
    gettext_noop("Your primary email address must be verified."),
    gettext_noop("Too many failed login attempts. Try again later."),
    gettext_noop("A user is already registered with this email address."),
    gettext_noop("The email address is not assigned to any user account."),
    gettext_noop("Invalid or expired key."),
    gettext_noop("The new value must be different from the current one."),
    gettext_noop("Forgot your password?"),
    gettext_noop("Use your password"),
    gettext_noop("You must type the same password each time."),
    gettext_noop("Remember Me"),
    gettext_noop("Password (again)"),
    gettext_noop("Current Password"),
    gettext_noop("New Password"),
    gettext_noop("New Password (again)"),
    gettext_noop("Email address"),
)

# Django's password validators, shown under the password fields (its catalogue: "Su contraseña…").
PASSWORD_HELP = (
    gettext_noop("Your password can’t be too similar to your other personal information."),  # noqa: RUF001 (Django's msgid)
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
    gettext_noop("Your password can’t be a commonly used password."),  # noqa: RUF001 (Django's msgid)
    gettext_noop("Your password can’t be entirely numeric."),  # noqa: RUF001 (Django's msgid)
)
