"""What every reliability script ends with: its summary as JSON, and an exit status."""
import json


def finish(summary, failures, out_path):
    """Prints the summary with its failures (and writes it to out_path when given); returns the
    exit status: 1 when a check failed."""
    summary["failures"] = failures
    text = json.dumps(summary, indent=1)
    print(text)
    if out_path:
        with open(out_path, "w") as f:
            f.write(text + "\n")
    return 1 if failures else 0
