"""Render an ECS task definition template (deploy/ecs/*.json) for `aws ecs register-task-definition`.

The same templates feed Terraform's templatefile() for the first deployment; the CD workflow renders them with
the image it has just built and pushed. Every ${NAME} must be given; a missing one is an error, never left as is.

    python3 deploy/render_task_definition.py deploy/ecs/rasa.json --image <registry>/carbot:<sha> \
        --set APP=carbot --set AWS_REGION=us-east-1 ... > rasa-task.json
"""

from __future__ import annotations

import argparse
import json
import string
import sys
from pathlib import Path


def render(template: str, values: dict[str, str]) -> dict:
    try:
        rendered = string.Template(template).substitute(values)
    except KeyError as missing:
        raise SystemExit(f"no value for {missing} (pass --set {missing.args[0]}=...)") from None
    except ValueError as error:
        raise SystemExit(f"bad placeholder in the template: {error}") from None
    return json.loads(rendered)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("template", type=Path)
    parser.add_argument("--image", required=True, help="the image reference to run, registry/repository:tag")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="a placeholder's value")
    arguments = parser.parse_args(argv)
    values = dict(item.split("=", 1) for item in arguments.set)
    if not arguments.image.rpartition(":")[2] or ":" not in arguments.image:
        raise SystemExit(f"--image needs a tag: {arguments.image!r}")
    values["IMAGE"] = arguments.image
    json.dump(render(arguments.template.read_text(), values), sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
