"""Locating Java and the HermiT.jar that owlready2 ships."""

from __future__ import annotations

import shutil
from pathlib import Path

import owlready2


class JavaMissing(RuntimeError):
    pass


def java_executable() -> str:
    java = shutil.which("java")
    if java is None:
        raise JavaMissing("Java is not installed; the OWL checks need it (Debian: apt-get install default-jre-headless)")
    return java


def hermit_jar() -> Path:
    return Path(owlready2.__file__).resolve().parent / "hermit" / "HermiT.jar"
