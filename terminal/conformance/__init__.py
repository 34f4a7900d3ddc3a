"""The conformance kit: play the terminal's side against a radio bridge or a co-processor and report
pass, fail or skip for every numbered clause of docs/protocol.md it can check
(`hotline conformance bridge|coproc --port DEV`; docs/conformance.md).
"""
