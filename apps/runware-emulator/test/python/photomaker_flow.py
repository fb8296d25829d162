"""imageUpload + photoMaker through the official runware-sdk, unchanged, against the emulator.

Usage: photomaker_flow.py <emulator origin> <api key> <png file>. Prints one JSON line per transport.
"""

import asyncio
import base64
import json
import sys

from runware import Runware


async def flow(origin: str, api_key: str, image: str, transport: str) -> dict:
    host = origin.split("://", 1)[1]
    async with Runware(
        api_key=api_key,
        transport=transport,
        http_base_url=f"http://{host}/v1",
        ws_base_url=f"ws://{host}/v1",
    ) as client:
        upload = await client.image_upload({"image": image})
        results = await client.run(
            {
                "taskType": "photoMaker",
                "model": "civitai:139562@344487",
                "inputImages": [upload[0]["imageUUID"]],
                "positivePrompt": "a portrait in a garden",
                "style": "Comic book",
                "width": 128,
                "height": 192,
                "numberResults": 2,
                "seed": 9223372036854775800,
                "outputFormat": "PNG",
                "includeCost": True,
            }
        )
        return {"transport": transport, "upload": upload, "results": results}


async def main() -> None:
    origin, api_key, path = sys.argv[1:4]
    with open(path, "rb") as handle:
        image = "data:image/png;base64," + base64.b64encode(handle.read()).decode()
    for transport in ("rest", "websocket"):
        print(json.dumps(await flow(origin, api_key, image, transport)), flush=True)


asyncio.run(main())
