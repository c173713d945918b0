"""`taskbot console` with Slack Web API faults set as it starts (argv[1]: JSON list of
[method, error, times]); the rest of argv is the usual command line."""

import json
import sys

from bot.__main__ import main
from bot.sandbox.stack import SandboxStack

faults = json.loads(sys.argv[1])
start = SandboxStack.start


def start_with_faults(stack: SandboxStack, *args, **kwargs) -> SandboxStack:
    started = start(stack, *args, **kwargs)
    for method, error, times in faults:
        stack.slack.fail_next(method, error, times)
    return started


SandboxStack.start = start_with_faults
sys.exit(main(sys.argv[2:]))
