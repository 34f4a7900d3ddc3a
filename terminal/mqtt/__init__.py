"""Beyond one desk: every committed call and alert record published to an MQTT broker.

`publisher.Publisher` is the desk's optional component (store-and-forward from the log's outbox
cursor); `topics`, `payload`, `window` and `state` are pure; `outbox` reads and moves the cursor;
`connect` turns [mqtt] into client settings. The message schema is in docs/mqtt.md.
"""
