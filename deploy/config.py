"""`python -m deploy.config`: HAProxy's configuration for app processes that run on a server.

    python -m deploy.config --ports 8501,8502 --listen :443 \\
        --tls /etc/haproxy/certs/dashboard.pem --redirect :80 \\
        --inter 5s --fall 3 --rise 2 > /etc/haproxy/haproxy.cfg

prints the same template `make shape` uses (deploy/haproxy.cfg.in), with production values.
"""

import argparse
import sys
from pathlib import Path

from deploy.shape import Check, render


def main(argv: list[str] | None = None) -> int:
    """Print the configuration."""
    parser = argparse.ArgumentParser(prog="python -m deploy.config", description=__doc__)
    parser.add_argument("--ports", required=True, help="the app processes' ports: 8501,8502")
    parser.add_argument("--host", default="127.0.0.1", help="where they listen (127.0.0.1)")
    parser.add_argument("--listen", default=":443", help="HAProxy's address (default :443)")
    parser.add_argument("--tls", type=Path, help="PEM file: certificate chain and private key")
    parser.add_argument("--redirect", help="an address whose plain http goes to https (:80)")
    parser.add_argument("--inter", default="5s", help="health check interval (default 5s)")
    parser.add_argument("--fall", type=int, default=3, help="failures to take one out (3)")
    parser.add_argument("--rise", type=int, default=2, help="successes to take one back (2)")
    parser.add_argument(
        "--stats-socket", type=Path, default=Path("/run/haproxy/dashboard.sock"), help="admin"
    )
    parser.add_argument("--log", default="/dev/log", help="syslog target (default /dev/log)")
    parser.add_argument(
        "--user", default="haproxy", help="the user HAProxy runs as once bound (haproxy)"
    )
    parser.add_argument(
        "--chroot", type=Path, default=Path("/var/lib/haproxy"), help="(/var/lib/haproxy)"
    )
    args = parser.parse_args(argv)
    ports = [int(port) for port in args.ports.split(",")]
    print(
        render(
            ports,
            listen=args.listen,
            stats_socket=args.stats_socket,
            check=Check(args.inter, args.fall, args.rise),
            tls=args.tls,
            redirect=args.redirect,
            log=args.log,
            host=args.host,
            user=args.user,
            chroot=args.chroot,
            header="rendered by python -m deploy.config " + " ".join(sys.argv[1:]),
        ),
        end="",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
