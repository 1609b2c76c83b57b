"""Replacing an index folder in one step, under the processes that read it meanwhile.

The configured path (LAWBOT_INDEX_DIR, and the meaning index beside it) is a symbolic link to a
versioned folder next to it (`index.v<time>`). A build writes a new folder, then one rename
replaces the link, so a reader finds the old folder or the new one, never neither: moving the old
folder aside and the new one into place took two renames, and a process killed between them left
no index at all. Readers resolve the link once and read every file from the folder it names; the
previous folder is kept until the next swap (a reader that resolved the link just before may still
be opening its files), older ones are removed."""

import os
import shutil
import time
from pathlib import Path


def resolved(directory: Path) -> Path:
    """The folder that directory names now (itself, for a folder written before the links)."""
    return directory.resolve()


def swap_in(tmp: Path, directory: Path) -> None:
    """Puts the complete folder tmp in place of directory, atomically for its readers."""
    version = directory.with_name(f"{directory.name}.v{time.time_ns()}")
    tmp.rename(version)
    previous = os.readlink(directory) if directory.is_symlink() else None
    link = directory.with_name(directory.name + ".link")
    link.unlink(missing_ok=True)
    link.symlink_to(version.name)
    if directory.exists() and not directory.is_symlink():
        # A folder from before the links: moved aside once, the one moment a reader finds none.
        legacy = directory.with_name(f"{directory.name}.v0")
        shutil.rmtree(legacy, ignore_errors=True)
        directory.rename(legacy)
        previous = legacy.name
    os.replace(link, directory)
    keep = {version.name, previous}
    for old in directory.parent.glob(f"{directory.name}.v*"):
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(directory.with_name(directory.name + ".old"), ignore_errors=True)
