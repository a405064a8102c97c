"""python -m bot.web [--host H] [--port P]: serves the web app (one process)."""
import argparse

from bot.rules.privacy import install_log_masking
from bot.web.app import create_app


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.web")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    install_log_masking()  # Sanic's error logs may quote what a citizen or agent typed
    create_app().run(host=args.host, port=args.port, access_log=False, motd=False)


if __name__ == "__main__":
    main()
