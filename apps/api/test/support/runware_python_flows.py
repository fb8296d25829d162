"""Runware's official Python SDK (runware-sdk) running its imageUpload + photoMaker flows, unchanged,
against the URL it is given instead of Runware's. Driven by apps/api/test/v1-socket-python.test.ts:
argv: ws_url api_key png_data_uri. Prints one JSON line per event: {"event": "first"} when the first
image of the multi-image job arrives (the test then cuts the connection), and {"event": "done", ...}
with what each flow returned."""

import asyncio
import json
import sys
import uuid

from runware import RunOptions, Runware


def emit(event: dict) -> None:
    print(json.dumps(event), flush=True)


def photo_maker(image: str, **extra: object) -> dict:
    return {
        "taskType": "photoMaker",
        "taskUUID": str(uuid.uuid4()),
        "model": "civitai:139562@344487",
        "positivePrompt": "wearing a suit, professional photo",
        "inputImages": [image],
        "style": "Photographic",
        "strength": 20,
        "width": 512,
        "height": 512,
        "steps": 4,
        **extra,
    }


async def main(ws_url: str, api_key: str, png: str) -> None:
    client = Runware(api_key=api_key, ws_base_url=ws_url, retry_delay=200)
    await client.connect()
    try:
        uploaded = await client.image_upload({"image": png})
        image_uuid = uploaded[0]["imageUUID"]
        first_seen = asyncio.Event()

        def on_result(_item: dict) -> None:
            if not first_seen.is_set():
                first_seen.set()
                emit({"event": "first"})

        # Sync delivery: results pushed over the socket as each image finishes; the test cuts the
        # connection after the first one, and the SDK resumes its session.
        pushed = await client.run(
            photo_maker(image_uuid, deliveryMethod="sync", numberResults=4),
            RunOptions(on_result=on_result, timeout=60_000),
        )
        # The SDK's default: async delivery, acknowledged, then getResponse polling over the socket.
        polled = await client.run(photo_maker(image_uuid, numberResults=2), RunOptions(timeout=60_000))
        emit(
            {
                "event": "done",
                "uploaded": image_uuid,
                "pushed": [item.get("imageUUID") for item in pushed],
                "pushedTaskTypes": sorted({str(item.get("taskType")) for item in pushed}),
                "polled": [item.get("imageUUID") for item in polled],
            }
        )
    finally:
        await client.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3]))
