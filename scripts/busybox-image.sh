#!/usr/bin/env bash
# Makes a local base image (default tilt-example-busybox:latest) from Debian's
# busybox-static with `docker import`, so that examples never pull an image.
# Does nothing when the image exists.
set -euo pipefail

IMAGE="${1:-tilt-example-busybox:latest}"
BUSYBOX=/bin/busybox

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  exit 0
fi
if [[ ! -x "$BUSYBOX" ]]; then
  echo "busybox-image: $BUSYBOX is missing: install Debian's busybox-static" >&2
  exit 1
fi

root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,root,tmp,var/tmp}
chmod 1777 "$root/tmp" "$root/var/tmp"
cp "$BUSYBOX" "$root/bin/busybox"
for applet in $("$BUSYBOX" --list); do
  [[ "$applet" == busybox ]] || ln -sf /bin/busybox "$root/bin/$applet"
done
echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
echo 'root:x:0:' >"$root/etc/group"

tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["sh"]' \
  - "$IMAGE" >/dev/null
echo "busybox-image: made $IMAGE" >&2
