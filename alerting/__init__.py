"""Alerts: where they go (JSONL, DingTalk / WeCom / Feishu robots, plain webhooks, email), sent once
each, for the rule findings of a refresh and the changed reports of a fetch alike."""
