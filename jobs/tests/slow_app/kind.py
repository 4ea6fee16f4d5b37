import io
import time


def run_slow(context):
    """`steps` steps of `pause` seconds each, progress after each; the file names the attempt."""
    steps, pause = context.params["steps"], context.params["pause"]
    context.progress(0, steps)
    for step in range(1, steps + 1):
        time.sleep(pause)
        context.progress(step, steps)
    context.save_file(
        io.BytesIO(f"attempt {context.job.attempts}: {steps} steps".encode()),
        filename="slow.txt",
        content_type="text/plain; charset=utf-8",
    )
