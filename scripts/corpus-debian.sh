#!/usr/bin/env bash
# Writes a JSON Lines corpus of Debian package descriptions, one document a line:
#   {"id": package, "title": "package: short description", "content": long description,
#    "tags": [section], "tenant": group}
# read from the apt lists of this machine. Output is sorted by id and deterministic for given lists.
#
# Where the text comes from: the Packages lists give each package's section, archive area and the
# md5 of its description; the long descriptions live in the Translation-en lists. A normal Debian
# install has both. Docker images switch Translation-en off (Acquire::Languages "none"), so when it is
# missing this script runs `apt-get update` with Acquire::Languages=en for the machine's Debian
# sources into a private lists directory (--apt-dir, default ~/.cache/quiver/apt), leaving the
# system's lists untouched, and says so on stderr. About 20 MB, once.
#
# Tenants: an archive area (contrib, non-free, non-free-firmware) is its own tenant. Main holds
# almost every package, so main is split by the section's group:
#   programming  devel libdevel libs oldlibs python perl ruby java javascript php rust golang haskell
#                ocaml lisp gnu-r cli-mono interpreters introspection debug vcs gnustep zope embedded
#   system       admin utils net web httpd database mail kernel shells otherosfs comm news misc
#                metapackages tasks (and any section not listed here)
#   desktop      x11 gnome kde xfce graphics sound video games fonts text editors tex doc localization
#   science      science math electronics hamradio education
#
# Which packages: those whose long description has at least --min-length characters and that are not
# transitional or dummy packages, sorted by name. --size N keeps N of them spread evenly over the
# alphabet (every k-th; a prefix would stop at the letter "c"); --include adds named packages.
#
# Usage: scripts/corpus-debian.sh [--size N] [--min-length CHARS] [--include pkg,pkg...]
#                                 [--out FILE] [--apt-dir DIR]
# Needs: apt (apt-get, apt-helper) and python3.
set -euo pipefail

size=0
min_length=200
include=""
out=""
apt_dir="${XDG_CACHE_HOME:-$HOME/.cache}/quiver/apt"

usage() { sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --size) size="$2"; shift 2 ;;
    --min-length) min_length="$2"; shift 2 ;;
    --include) include="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --apt-dir) apt_dir="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "corpus-debian: unknown option $1 (--help lists them)" >&2; exit 2 ;;
  esac
done
[[ "$size" =~ ^[0-9]+$ ]] || { echo "corpus-debian: --size takes a whole number, not '$size'" >&2; exit 2; }
[[ "$min_length" =~ ^[0-9]+$ ]] || { echo "corpus-debian: --min-length takes a whole number, not '$min_length'" >&2; exit 2; }
command -v apt-get >/dev/null || { echo "corpus-debian: needs apt (a Debian or Debian-based system)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "corpus-debian: needs python3 (apt-get install python3)" >&2; exit 1; }
helper=/usr/lib/apt/apt-helper
[ -x "$helper" ] || { echo "corpus-debian: $helper is missing (it comes with apt)" >&2; exit 1; }

# targets OPTIONS... -- lines "identifier<TAB>component<TAB>file" of the Debian Packages and Translation-en lists
targets() {
  apt-get "$@" indextargets --format '$(IDENTIFIER)	$(COMPONENT)	$(FILENAME)' 'Origin: Debian' \
    | awk -F'\t' '$1 == "Packages" || $1 == "Translations"' \
    | while IFS=$'\t' read -r id component file; do
        if [ "$id" = Translations ] && [[ "$file" != *Translation-en* ]]; then continue; fi
        [ -e "$file" ] && printf '%s\t%s\t%s\n' "$id" "$component" "$file"
      done
}

has_translations() { awk -F'\t' '$1 == "Translations"' <<<"$1" | grep -q .; }
lists="$(targets)"
if ! has_translations "$lists"; then
  # The machine's sources, but only the Debian archive's, are copied into a private sources list.
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/parts"
  keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  signed=""
  [ -r "$keyring" ] && signed="[signed-by=$keyring] "
  apt-get indextargets --format "deb ${signed}\$(REPO_URI) \$(RELEASE) \$(COMPONENT)" 'Identifier: Packages' 'Origin: Debian' \
    | sort -u > "$apt_dir/sources.list"
  if [ ! -s "$apt_dir/sources.list" ]; then
    echo "corpus-debian: this machine's apt sources name no Debian archive (Origin: Debian); nothing to read" >&2
    echo "corpus-debian: if the lists were never fetched, run 'apt-get update' first" >&2
    exit 1
  fi
  apt_opts=(-o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
    -o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=$apt_dir/parts"
    -o "Acquire::Languages=en" -o "Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false")
  # as root, apt would hand the download to its _apt user, who cannot enter a private home directory
  [ "$(id -u)" -eq 0 ] && apt_opts+=(-o "APT::Sandbox::User=root")
  lists="$(targets "${apt_opts[@]}")"
  if ! has_translations "$lists"; then
    echo "corpus-debian: the apt lists here have no long descriptions (Translation-en is switched off);" >&2
    echo "corpus-debian: running apt-get update with Acquire::Languages=en into $apt_dir (the system's lists stay as they are)" >&2
    apt-get "${apt_opts[@]}" -q update >&2
    lists="$(targets "${apt_opts[@]}")"
  fi
fi

if ! has_translations "$lists" || ! awk -F'\t' '$1 == "Packages"' <<<"$lists" | grep -q .; then
  echo "corpus-debian: no Debian Packages and Translation-en lists found, even after apt-get update" >&2
  exit 1
fi
echo "corpus-debian: reading $(wc -l <<<"$lists") apt lists" >&2

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Each list decompressed into one file per kind, every stanza tagged with its archive area.
while IFS=$'\t' read -r id component file; do
  "$helper" cat-file "$file" | awk -v c="$component" 'BEGIN{print "X-Area: " c} /^$/{print; print "X-Area: " c; next} {print}' \
    >> "$work/$id"
  echo >> "$work/$id"
done <<<"$lists"

python3 - "$work/Packages" "$work/Translations" "$size" "$min_length" "$include" >"$work/corpus.jsonl" <<'PY'
import json, re, sys

packages_file, translations_file, size, min_length, include = sys.argv[1:6]
size, min_length = int(size), int(min_length)
include = [p for p in include.split(",") if p]

GROUPS = {
    "programming": "devel libdevel libs oldlibs python perl ruby java javascript php rust golang haskell ocaml lisp "
                   "gnu-r cli-mono interpreters introspection debug vcs gnustep zope embedded",
    "system": "admin utils net web httpd database mail kernel shells otherosfs comm news misc metapackages tasks",
    "desktop": "x11 gnome kde xfce graphics sound video games fonts text editors tex doc localization",
    "science": "science math electronics hamradio education",
}
GROUP_OF = {s: g for g, sections in GROUPS.items() for s in sections.split()}

def stanzas(path):
    """Yields each deb822 stanza as a dict; continuation lines are kept, joined by newlines."""
    with open(path, encoding="utf-8", errors="replace") as f:
        fields, key = {}, None
        for line in f:
            line = line.rstrip("\n")
            if not line:
                if fields:
                    yield fields
                fields, key = {}, None
            elif line[0] in " \t" and key:
                fields[key] += "\n" + line
            elif ":" in line:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
        if fields:
            yield fields

def long_text(description):
    """The extended description as plain text: ' .' lines end paragraphs; lines indented twice stay lines."""
    paragraphs, current = [], []
    for raw in description.split("\n")[1:]:
        line = raw[1:] if raw.startswith(" ") else raw
        if line.strip() == ".":
            paragraphs.append(current)
            current = []
        elif line.startswith(" "):          # verbatim (lists, code): a line of its own
            current.append("\n" + line.strip())
        else:
            current.append(line.strip())
    paragraphs.append(current)
    text = [re.sub(r" ?\n", "\n", " ".join(p)).strip() for p in paragraphs]
    return "\n\n".join(t for t in text if t)

# package -> md5 -> full description (first line short, then long lines)
translations = {}
for t in stanzas(translations_file):
    if "Package" in t and "Description-en" in t:
        translations.setdefault(t["Package"], {})[t.get("Description-md5", "")] = t["Description-en"]

docs = {}
for p in stanzas(packages_file):
    name = p.get("Package")
    if not name or name in docs:
        continue                      # the first list (the release) wins over updates and security
    by_md5 = translations.get(name, {})
    full = by_md5.get(p.get("Description-md5", "")) or (next(iter(by_md5.values())) if len(by_md5) == 1 else None)
    if not full:
        continue
    short = full.split("\n", 1)[0].strip()
    content = long_text(full)
    section = p.get("Section", "misc")
    area, _, bare = section.rpartition("/")        # "contrib/net" -> area contrib, section net
    area = area or p.get("X-Area", "main")
    tenant = GROUP_OF.get(bare, "system") if area == "main" else area
    docs[name] = {"id": name, "title": f"{name}: {short}", "content": content, "tags": [bare], "tenant": tenant,
                  "_ok": len(content) >= min_length and not re.search(r"transitional|dummy package", short, re.I)}

eligible = sorted(n for n, d in docs.items() if d["_ok"])
if size and size < len(eligible):
    chosen = {eligible[(i * len(eligible)) // size] for i in range(size)}
else:
    chosen = set(eligible)
missing = [n for n in include if n not in docs]
if missing:
    sys.exit("corpus-debian: --include names packages not in the lists (or without a description): " + ", ".join(missing))
chosen.update(include)
for name in sorted(chosen):
    d = dict(docs[name])
    del d["_ok"]
    print(json.dumps(d, ensure_ascii=False))
print(f"corpus-debian: {len(chosen)} documents ({len(eligible)} eligible of {len(docs)} described packages)",
      file=sys.stderr)
PY

if [ -n "$out" ]; then
  mkdir -p "$(dirname "$out")"
  mv "$work/corpus.jsonl" "$out"
  echo "corpus-debian: wrote $out" >&2
else
  cat "$work/corpus.jsonl"
fi
