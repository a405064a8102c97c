"""Configuration, read once from the environment. Every setting has a documented default that
runs the assistant on one machine (SQLite, in-process lock store); see README “配置”."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Settings:
    default_agency: str        # GONGKAI_DEFAULT_AGENCY: the deployment's agency (an id in agencies.yml)
    faq_confidence: float      # GONGKAI_FAQ_CONFIDENCE: below this the FAQ answer becomes "您是不是想问"
    faq_margin: float          # GONGKAI_FAQ_MARGIN: top two candidates closer than this → ask too
    calendar_overrides: Path   # GONGKAI_CALENDAR_OVERRIDES: holiday arrangements typed in by staff

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        return cls(
            default_agency=env.get("GONGKAI_DEFAULT_AGENCY", "zibo_spj"),
            faq_confidence=float(env.get("GONGKAI_FAQ_CONFIDENCE", "0.5")),
            faq_margin=float(env.get("GONGKAI_FAQ_MARGIN", "0.1")),
            calendar_overrides=Path(env.get("GONGKAI_CALENDAR_OVERRIDES")
                                    or PROJECT_ROOT / "data" / "calendar" / "overrides.yml"),
        )


settings = Settings.from_env()
