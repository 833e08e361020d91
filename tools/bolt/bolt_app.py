"""The peer for the benchmark: a minimal Slack Bolt for Python app that
answers the same `/example help` through Bolt's AWS Lambda adapter, as a
team would write it. Its Web API client points at SLACK_API_URL, a local
stand-in, so Bolt's auth.test does not measure the network.
"""

import os

from slack_bolt import App
from slack_bolt.adapter.aws_lambda import SlackRequestHandler
from slack_sdk import WebClient

HELP = """Usage: /example <command> [options]

Commands:
  deploy   Deploy a branch for a client
  backup   Back up a client's database
  restore  Restore a client's database from a snapshot
  jobs     Recent jobs and their status
  help     Print this message or the help of the given command(s)
"""

client = WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"])
app = App(
    client=client,
    signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    # Lambda freezes after the response, so Bolt must finish first.
    process_before_response=True,
)


@app.command("/example")
def example(ack, command):
    text = command.get("text", "").strip()
    if text in ("", "help"):
        ack(response_type="ephemeral", text=f"```{HELP}```")
    else:
        ack(response_type="ephemeral", text=f"Unknown command {text!r}; try `/example help`.")


handler_adapter = SlackRequestHandler(app)


def handler(event, context):
    return handler_adapter.handle(event, context)
