#!/usr/bin/env python
import sys


def main() -> None:
    # Production settings unless DJANGO_SETTINGS_MODULE names others (config/settings/__init__.py
    # says why; `make run` and `make test` name theirs).
    from django.core.management import execute_from_command_line

    from config.settings import use_default_settings

    use_default_settings()

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
