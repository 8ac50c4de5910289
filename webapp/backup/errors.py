"""The one error a backup, check or restore raises: its message says what is wrong and what to do."""


class BackupError(RuntimeError):
    pass
