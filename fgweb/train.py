"""Training stage: LoRA plus the function-token embedding rows, completion-only loss, merged at the end.

    from fgweb.train import train
    merged_dir = train(cfg.train, base_dir, data_dir, toolset, out_dir)

Reads `data_dir/train.jsonl` (records as in docs/internals.md) and the Hugging Face checkpoint that the
model stage wrote in `base_dir`. Writes

    out_dir/adapter/   adapter_model.safetensors + adapter_config.json (peft LoRA),
                       function_tokens.safetensors (the trained rows of ids 46..52), adapter_meta.json
    out_dir/merged/    plain fp32 checkpoint: LoRA merged, token rows written in, tokenizer files of base_dir
    out_dir/loss.json  per-step loss, lr, tokens, seconds, plus a summary

Two things keep a CPU step cheap. The developer turn (the tool declarations, identical for every
example) goes through the model once per step at batch 1 and its KV cache is repeated across the batch;
only the user turn and completion of each example run on top of it. And the output layer (262,144 rows)
is applied only at the completion positions, the only ones the loss reads.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import random
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from fgweb import protocol
from fgweb.config import PRETRAINED_ADAPTER_DIR, TrainConfig
from fgweb.errors import FgwebError
from fgweb.files import sha256_file
from fgweb.model import function_token_ids, load_model, load_tokenizer

log = logging.getLogger(__name__)

LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
TOKEN_ROW_IDS: list[int] = sorted(protocol.FUNCTION_TOKENS.values())
TOKEN_ROWS_FILE = "function_tokens.safetensors"
META_FILE = "adapter_meta.json"
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".gguf")


@dataclass
class Encoded:
    """One training example after tokenization: the tokens after the shared developer turn."""

    rest_ids: list[int]  # user turn + model header + completion
    completion_len: int  # the last `completion_len` tokens of rest_ids carry the loss


@dataclass
class EncodedSet:
    prefix_ids: list[int]  # the developer turn, shared by every example
    examples: list[Encoded]
    dropped: int  # examples longer than max_length


class FunctionTokenRows(nn.Module):
    """Trainable embedding rows of the function tokens; the tied embedding/output matrix stays frozen.

    Gemma 3 ties its output layer to the embedding, so one row set serves both: `embed` substitutes the
    rows where the input holds a function token, `logits` substitutes their output columns. Training
    these 7 rows this way costs nothing next to a dense gradient of the 262,144-row matrix.
    """

    embed_module: nn.Embedding
    lm_head: nn.Linear
    token_ids: torch.Tensor
    lut: torch.Tensor

    def __init__(
        self, embed: nn.Embedding, lm_head: nn.Linear, token_ids: Sequence[int], softcap: float | None
    ) -> None:
        super().__init__()
        # Plain attributes, not submodules: the frozen matrices belong to the model, not to this module.
        self.__dict__["embed_module"] = embed
        self.__dict__["lm_head"] = lm_head
        self.softcap = softcap
        ids = torch.tensor(list(token_ids), dtype=torch.long, device=embed.weight.device)
        self.register_buffer("token_ids", ids, persistent=False)
        lut = torch.full((embed.num_embeddings,), -1, dtype=torch.long, device=embed.weight.device)
        lut[ids] = torch.arange(len(ids), device=ids.device)
        self.register_buffer("lut", lut, persistent=False)
        self.rows = nn.Parameter(embed.weight.detach()[ids].clone().float())

    def embed(self, input_ids: torch.Tensor) -> torch.Tensor:
        """Returns the (scaled) input embeddings with the function-token rows substituted."""
        base = self.embed_module(input_ids)
        slot = self.lut[input_ids]
        scale = getattr(self.embed_module, "embed_scale", None)
        rows = self.rows[slot.clamp(min=0)].to(base.dtype)
        if scale is not None:
            rows = rows * scale.to(base.dtype)
        return torch.where((slot >= 0).unsqueeze(-1), rows, base)

    def logits(self, hidden: torch.Tensor) -> torch.Tensor:
        """Returns logits (N, vocab) for hidden states (N, H), function-token columns from the rows."""
        base = self.lm_head(hidden)
        own = hidden @ self.rows.to(hidden.dtype).t()
        out = base.index_copy(-1, self.token_ids, own.to(base.dtype))
        if self.softcap is not None:
            out = torch.tanh(out / self.softcap) * self.softcap
        return out

    def write_into(self, model: nn.Module) -> None:
        """Writes the trained rows into the model's embedding and (when not tied to it) output matrix."""
        write_rows(model, self.rows.detach())


@torch.no_grad()
def write_rows(model: Any, rows: torch.Tensor) -> None:
    """Writes function-token rows into `model`'s input embedding and output layer (once when tied)."""
    ids = torch.tensor(TOKEN_ROW_IDS)
    emb = model.get_input_embeddings().weight
    emb[ids.to(emb.device)] = rows.to(emb)
    out = model.get_output_embeddings()
    if out is not None and out.weight is not emb:
        out.weight[ids.to(out.weight.device)] = rows.to(out.weight)


# ---------------------------------------------------------------------------------------------- data


def read_records(path: Path) -> list[dict[str, Any]]:
    """Returns the JSON records of a train/eval JSONL file."""
    if not path.is_file():
        raise FgwebError(f"no training data at {path}: run `fgweb data` first")
    records = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise FgwebError(
                        f"{path}:{n} is not valid JSON ({e}): regenerate it with `fgweb data`"
                    ) from e
    return records


def encode_examples(
    tokenizer: Any, tools: Sequence[Any], records: Sequence[dict[str, Any]], max_length: int
) -> EncodedSet:
    """Tokenizes records into the shared developer-turn prefix plus per-example remainders.

    Returns the prefix, the examples that fit in `max_length` tokens (prefix included), and how many
    were dropped. Prompt and completion are tokenized separately, as generation sees them.
    """
    function_token_ids(tokenizer)  # FgwebError unless ids 46..52 are the function tokens
    dev = protocol.render_developer_turn(tools)
    prefix_ids = _tok(tokenizer, [dev])[0]
    rests: list[str] = []
    completions: list[str] = []
    for rec in records:
        prompt = protocol.render_prompt(tools, rec["snapshot"], rec["command"])
        if not prompt.startswith(dev):
            raise FgwebError("the prompt does not start with the developer turn: protocol.py is inconsistent")
        rests.append(prompt[len(dev) :])
        completions.append(protocol.render_completion(rec["calls"], rec.get("answer")))
    examples: list[Encoded] = []
    dropped = 0
    if records:
        for rest, comp in zip(_tok(tokenizer, rests), _tok(tokenizer, completions), strict=True):
            if len(prefix_ids) + len(rest) + len(comp) > max_length or not rest or not comp:
                dropped += 1
                continue
            examples.append(Encoded(rest + comp, len(comp)))
    return EncodedSet(prefix_ids, examples, dropped)


def _tok(tokenizer: Any, texts: list[str]) -> list[list[int]]:
    return [list(ids) for ids in tokenizer(texts, add_special_tokens=False)["input_ids"]]


def batches(
    n: int, batch_size: int, seed: int, lengths: Sequence[int] | None = None
) -> Iterator[tuple[list[int], int]]:
    """Yields (example indices, epoch) forever: a fresh shuffle per epoch, batches wrap across epochs.

    With `lengths`, each epoch's shuffled order is cut into windows of 16 batches whose examples are
    grouped by length before batching (and the batches shuffled again), so a batch pads to a width
    close to its examples' own: about 1.5x fewer tokens per step on the DOM data.
    """
    rng = random.Random(seed)
    pending: list[list[int]] = []
    carry: list[int] = []
    epoch = -1
    while True:
        if not pending:
            order = list(range(n))
            rng.shuffle(order)
            epoch += 1
            order = carry + order
            window = batch_size * 16
            chunks: list[list[int]] = []
            for start in range(0, len(order), window):
                part = order[start : start + window]
                if lengths is not None:
                    part.sort(key=lambda i: lengths[i])
                chunks += [part[j : j + batch_size] for j in range(0, len(part), batch_size)]
            carry = chunks.pop() if len(chunks[-1]) < batch_size else []
            rng.shuffle(chunks)
            pending = chunks
        yield pending.pop(), epoch


# ---------------------------------------------------------------------------------------------- loss


def shared_prefix_loss(
    body: nn.Module,
    rows: FunctionTokenRows,
    prefix_ids: Sequence[int],
    batch: Sequence[Encoded],
    pad_id: int = 0,
    autocast: Callable[[], Any] | None = None,
    prefix_grad: bool = True,
    input_rows_grad: bool = True,
) -> torch.Tensor:
    """Returns the mean cross-entropy over the completion tokens of `batch`.

    `prefix_grad=False` runs the prefix without gradient; `input_rows_grad=False` keeps the function
    tokens' input embeddings out of the graph (both make a step cheaper; the loss value is the same).

    The prefix runs once (batch 1, with gradient); its KV cache is repeated across the batch and the
    right-padded remainders run on top of it. Logits are computed only where a completion token is
    predicted. Equal to the plain full-sequence loss with prompt labels masked (tests check it).
    """
    from transformers import DynamicCache

    device = rows.rows.device
    p = len(prefix_ids)
    b = len(batch)
    width = max(len(e.rest_ids) for e in batch)
    ids = torch.full((b, width), pad_id, dtype=torch.long)
    mask = torch.zeros((b, p + width), dtype=torch.long)
    mask[:, :p] = 1
    sel_b: list[int] = []
    sel_pos: list[int] = []
    for i, e in enumerate(batch):
        r = len(e.rest_ids)
        ids[i, :r] = torch.tensor(e.rest_ids)
        mask[i, p : p + r] = 1
        start = r - e.completion_len
        sel_b += [i] * e.completion_len
        sel_pos += range(start - 1, r - 1)  # the hidden state before each completion token predicts it
    ids, mask = ids.to(device), mask.to(device)
    targets = ids[torch.tensor(sel_b, device=device), torch.tensor(sel_pos, device=device) + 1]

    with autocast() if autocast is not None else contextlib.nullcontext():
        cache = DynamicCache(config=getattr(body, "config", None))
        pre = torch.tensor([list(prefix_ids)], dtype=torch.long, device=device)
        pre_pos = torch.arange(p, device=device)
        embed = rows.embed if input_rows_grad else (lambda x: rows.embed(x).detach())
        with contextlib.nullcontext() if prefix_grad else torch.no_grad():
            body(
                inputs_embeds=embed(pre),
                attention_mask=torch.ones_like(pre),
                position_ids=pre_pos[None],
                cache_position=pre_pos,
                past_key_values=cache,
                use_cache=True,
            )
        cache.batch_repeat_interleave(b)
        pos = torch.arange(p, p + width, device=device)
        out = body(
            inputs_embeds=embed(ids),
            attention_mask=mask,
            position_ids=pos[None].expand(b, -1),
            cache_position=pos,
            past_key_values=cache,
            use_cache=True,
        )
        hidden = out.last_hidden_state[
            torch.tensor(sel_b, device=device), torch.tensor(sel_pos, device=device)
        ]
        logits = rows.logits(hidden)
    return nn.functional.cross_entropy(logits.float(), targets)


# ---------------------------------------------------------------------------------------------- train


def train(
    cfg: TrainConfig, base_dir: Path, data_dir: Path, toolset: Any, out_dir: Path, progress: bool = True
) -> Path:
    """Fine-tunes the base in `base_dir` on `data_dir/train.jsonl` as `cfg.recipe` says.

    Returns `out_dir/merged`, a plain fp32 Hugging Face checkpoint (for recipe "none", a copy of the
    base). Also writes `out_dir/adapter/` (not for "none") and `out_dir/loss.json`.
    """
    base_dir, data_dir, out_dir = Path(base_dir), Path(data_dir), Path(out_dir)
    if not (base_dir / "config.json").is_file():
        raise FgwebError(f"no model checkpoint in {base_dir}: run the model stage (`fgweb build`) first")
    out_dir.mkdir(parents=True, exist_ok=True)
    merged_dir = out_dir / "merged"
    _clear(merged_dir)
    _clear(out_dir / "adapter")
    if cfg.recipe == "none":
        shutil.copytree(base_dir, merged_dir)
        _write_json(out_dir / "loss.json", {"steps": [], "summary": {"recipe": "none", "steps": 0}})
        return merged_dir
    if cfg.recipe not in ("default", "full"):
        raise FgwebError(f"unknown training recipe {cfg.recipe!r}: choose 'default', 'full' or 'none'")

    from peft import LoraConfig, PeftModel, get_peft_model

    torch.set_num_threads(cfg.threads or os.cpu_count() or 1)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(cfg.seed)

    tokenizer = load_tokenizer(base_dir)
    data = encode_examples(tokenizer, toolset.tools, read_records(data_dir / "train.jsonl"), cfg.max_length)
    if data.dropped:
        log.warning(
            "dropped %d of %d training examples longer than max_length=%d tokens",
            data.dropped,
            data.dropped + len(data.examples),
            cfg.max_length,
        )
    if not data.examples:
        raise FgwebError(
            f"no training example fits in max_length={cfg.max_length} tokens: raise "
            "train.max_length or shorten the toolset's declarations"
        )

    model: Any = load_model(base_dir, torch.float32)
    body, lm_head = getattr(model, "model", None), getattr(model, "lm_head", None)
    if not isinstance(body, nn.Module) or not isinstance(lm_head, nn.Linear):
        raise FgwebError(f"{base_dir} is not a text-only causal LM (Gemma3ForCausalLM): use such a base")
    base_hash = model_fingerprint(model)
    model.to(device)

    start = _usable_pretrained_adapter(PRETRAINED_ADAPTER_DIR, base_hash) if cfg.recipe == "default" else None
    if start is not None:
        log.info("continuing from the pretrained adapter at %s", start)
        peft_model = PeftModel.from_pretrained(model, str(start), is_trainable=True)
    else:
        peft_model = get_peft_model(
            model,
            LoraConfig(
                r=cfg.lora_rank,
                lora_alpha=cfg.lora_alpha,
                lora_dropout=cfg.lora_dropout,
                target_modules=LORA_TARGETS,
                bias="none",
                task_type="CAUSAL_LM",
            ),
        )
    rows = FunctionTokenRows(
        model.get_input_embeddings(),
        lm_head,
        TOKEN_ROW_IDS,
        model.config.get_text_config().final_logit_softcapping,
    ).to(device)
    if start is not None:
        rows.rows.data.copy_(_load_rows(start, tuple(rows.rows.shape)).to(device))

    n_layers = model.config.get_text_config().num_hidden_layers
    lowest = n_layers - cfg.lora_layers if 0 < cfg.lora_layers < n_layers else 0
    for n, p in peft_model.named_parameters():
        if "lora_" in n and int(n.split(".layers.", 1)[1].split(".", 1)[0]) < lowest:
            p.requires_grad_(False)  # kept as it is; the backward pass need not reach these layers
    lora_params = [p for n, p in peft_model.named_parameters() if p.requires_grad and "lora_" in n]
    lora_lr, rows_lr = cfg.learning_rates()
    opt = torch.optim.AdamW(
        [
            {"params": lora_params, "lr": lora_lr, "weight_decay": 0.0},
            {"params": [rows.rows], "lr": rows_lr, "weight_decay": 0.0},
        ]
    )
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda=lr_factor(cfg.steps))
    autocast = (lambda: torch.autocast("cuda", dtype=torch.bfloat16)) if device.type == "cuda" else None

    history: list[dict[str, Any]] = []
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    peft_model.train()
    t_start = time.perf_counter()
    total_tokens = 0
    epoch = 0
    stream = batches(
        len(data.examples), cfg.batch_size, cfg.seed, [len(e.rest_ids) for e in data.examples]
    )
    bar = _progress_bar(cfg.steps, progress)
    for step in range(1, cfg.steps + 1):
        t0 = time.perf_counter()
        idx, epoch = next(stream)
        batch = [data.examples[i] for i in idx]
        lr, embed_lr = opt.param_groups[0]["lr"], opt.param_groups[1]["lr"]
        loss = shared_prefix_loss(body, rows, data.prefix_ids, batch, pad_id, autocast,
                                  prefix_grad=cfg.prefix_grad, input_rows_grad=lowest == 0)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(lora_params + [rows.rows], 1.0)
        opt.step()
        sched.step()
        value = loss.item()
        if not math.isfinite(value):
            raise FgwebError(
                f"training diverged at step {step} (loss {value}): lower train.lr/train.embed_lr"
            )
        tokens = len(data.prefix_ids) + sum(len(e.rest_ids) for e in batch)
        total_tokens += tokens
        history.append(
            {
                "step": step,
                "loss": round(value, 6),
                "lr": lr,
                "embed_lr": embed_lr,
                "tokens": tokens,
                "completion_tokens": sum(e.completion_len for e in batch),
                "seconds": round(time.perf_counter() - t0, 4),
            }
        )
        bar.update(1)
        bar.set_postfix(loss=f"{value:.4f}")
        if step % 10 == 0:  # the curve so far, for anyone watching a long run
            _write_json(out_dir / "loss.json", {"steps": history, "summary": {"running": True}})
        elapsed = time.perf_counter() - t_start
        if cfg.max_minutes and elapsed + elapsed / step > cfg.max_minutes * 60 and step < cfg.steps:
            log.warning("train.max_minutes (%s) reached: stopping after %d of %d steps",
                        cfg.max_minutes, step, cfg.steps)
            break
    bar.close()
    wall = time.perf_counter() - t_start
    steps_done = len(history)
    seen = steps_done * cfg.batch_size

    adapter_dir = out_dir / "adapter"
    peft_model.save_pretrained(str(adapter_dir), save_embedding_layers=False)
    _save_rows(rows, adapter_dir / TOKEN_ROWS_FILE)
    meta = {
        "base_name": _base_name(base_dir),
        "base_hash": base_hash,
        "function_token_ids": TOKEN_ROW_IDS,
        "hidden_size": int(rows.rows.shape[1]),
        "recipe": cfg.recipe,
        "started_from": "pretrained adapter" if start else "base",
        "steps": steps_done,
        "toolset": getattr(toolset, "name", None),
        "files": {f.name: sha256_file(f) for f in sorted(adapter_dir.iterdir()) if f.is_file()},
    }
    _write_json(adapter_dir / META_FILE, meta)

    merged = peft_model.merge_and_unload()
    rows.write_into(merged)
    merged.to("cpu", dtype=torch.float32)
    merged.save_pretrained(str(merged_dir), safe_serialization=True)
    _copy_side_files(base_dir, merged_dir)

    summary = {
        "recipe": cfg.recipe,
        "started_from": meta["started_from"],
        "steps": steps_done,
        "steps_planned": cfg.steps,
        "batch_size": cfg.batch_size,
        "peak_lr": lora_lr,
        "peak_embed_lr": rows_lr,
        "examples": len(data.examples),
        "dropped": data.dropped,
        "examples_seen": seen,
        "epochs": round(seen / len(data.examples), 3),
        "prefix_tokens": len(data.prefix_ids),
        "wall_s": round(wall, 2),
        "s_per_step": round(wall / max(1, steps_done), 3),
        "device": str(device),
        "threads": torch.get_num_threads(),
        "tokens_per_s": round(total_tokens / wall, 1) if wall else None,
        "first_loss": history[0]["loss"] if history else None,
        "last_loss": history[-1]["loss"] if history else None,
    }
    _write_json(out_dir / "loss.json", {"steps": history, "summary": summary})
    return merged_dir


def lr_factor(steps: int) -> Callable[[int], float]:
    """Returns the lr multiplier per step: linear warmup, then cosine decay to 10% of the peak."""
    warmup = max(1, min(20, steps // 10))

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        t = (step - warmup) / max(1, steps - warmup)
        return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(t, 1.0)))

    return factor


# ---------------------------------------------------------------------------------------------- adapters


def load_trained(base_dir: Path, adapter_dir: Path) -> Any:
    """Returns the base model with an adapter applied and not merged (LoRA live, token rows written).

    The model the merged checkpoint must reproduce; for checks and debugging.
    """
    from peft import PeftModel

    model: Any = load_model(base_dir, torch.float32)
    hidden = model.get_input_embeddings().weight.shape[1]
    write_rows(model, _load_rows(adapter_dir, (len(TOKEN_ROW_IDS), hidden)))
    return PeftModel.from_pretrained(model, str(adapter_dir))


def save_pretrained_adapter(adapter_dir: Path, dest: Path, command: str, data_hash: str) -> Path:
    """Copies a trained adapter to `dest` (the committed location) with a README saying how it was made.

    Returns `dest`. Refuses to overwrite a folder that is not an adapter.
    An adapter trained from the one already at `dest` (recipe "default" continues from it) keeps
    that adapter's history and loss curves, so the README lists every run that led to it and
    `loss.run<N>.json` holds run N's curve.
    """
    adapter_dir, dest = Path(adapter_dir), Path(dest)
    if not (adapter_dir / META_FILE).is_file() or not (adapter_dir / TOKEN_ROWS_FILE).is_file():
        raise FgwebError(
            f"{adapter_dir} is not a trained adapter: run `fgweb train` with recipe 'full' first"
        )
    meta = json.loads((adapter_dir / META_FILE).read_text())
    history: list[dict[str, Any]] = []
    curves: dict[str, bytes] = {}  # loss.run<N>.json of the runs this one continues
    if dest.exists():
        if any(dest.iterdir()) and not (dest / META_FILE).is_file():
            raise FgwebError(f"{dest} exists and is not an adapter folder: choose another destination")
        if meta.get("started_from") == "pretrained adapter" and (dest / META_FILE).is_file():
            history = _adapter_history(json.loads((dest / META_FILE).read_text()))
            curves = {f.name: f.read_bytes() for f in dest.glob("loss.run*.json")}
        shutil.rmtree(dest)
    shutil.copytree(adapter_dir, dest)
    for name, content in curves.items():
        (dest / name).write_bytes(content)
    history.append({"command": command, "data_hash": data_hash, "steps": meta.get("steps"),
                     "started_from": meta.get("started_from")})
    loss = adapter_dir.parent / "loss.json"  # train() writes it beside the adapter folder
    if loss.is_file():
        shutil.copy2(loss, dest / f"loss.run{len(history)}.json")
    meta["provenance"] = {"command": command, "data_hash": data_hash}
    meta["history"] = history
    meta["total_steps"] = sum(run.get("steps") or 0 for run in history)
    _write_json(dest / META_FILE, meta)
    runs = "".join(
        f"{i}. {run.get('steps')} steps from {run.get('started_from')}: `{run['command']}`"
        f" (dataset/config hash `{run['data_hash']}`)\n"
        for i, run in enumerate(history, 1)
    )
    (dest / "README.md").write_text(
        "# Pretrained fgweb adapter\n\n"
        f"LoRA adapter and function-token rows for base `{meta.get('base_name')}` "
        f"(weights sha256 `{meta.get('base_hash')}`), {meta['total_steps']} steps in all.\n\n"
        f"Made with: `{command}`\n\n"
        f"Dataset/config hash: `{data_hash}`\n\n"
        f"Runs, in order:\n\n{runs}",
        encoding="utf-8",
    )
    return dest


def _adapter_history(meta: dict[str, Any]) -> list[dict[str, Any]]:
    """Returns the runs behind a saved adapter (older saves recorded only their last command)."""
    if meta.get("history"):
        return list(meta["history"])
    provenance = meta.get("provenance") or {}
    if not provenance:
        return []
    return [{"command": provenance.get("command"), "data_hash": provenance.get("data_hash"),
             "steps": meta.get("steps"), "started_from": meta.get("started_from")}]


def model_fingerprint(model: nn.Module) -> str:
    """Returns a sha256 over the model's fp32 weights (names, shapes, values): identifies a base."""
    h = hashlib.sha256()
    for name, t in sorted(model.state_dict().items()):
        if t.is_floating_point():
            t = t.float()
        arr = t.detach().cpu().contiguous()
        h.update(f"{name}:{tuple(arr.shape)}:{arr.dtype}".encode())
        h.update(memoryview(arr.view(torch.uint8).reshape(-1).numpy()))
    return h.hexdigest()


def _usable_pretrained_adapter(path: Path, base_hash: str) -> Path | None:
    meta_path = path / META_FILE
    if not meta_path.is_file() or not (path / TOKEN_ROWS_FILE).is_file():
        log.warning(
            "no pretrained adapter at %s: recipe 'default' trains from the base instead "
            "(slower to converge; commit one with the 'full' recipe)",
            path,
        )
        return None
    meta = json.loads(meta_path.read_text())
    if meta.get("base_hash") != base_hash or meta.get("function_token_ids") != TOKEN_ROW_IDS:
        log.warning(
            "the pretrained adapter at %s was trained on a different base (%s): recipe 'default' "
            "trains from this base instead",
            path,
            meta.get("base_name"),
        )
        return None
    return path


def _save_rows(rows: FunctionTokenRows, path: Path) -> None:
    from safetensors.torch import save_file

    save_file(
        {"rows": rows.rows.detach().float().cpu().contiguous(), "token_ids": rows.token_ids.detach().cpu()},
        str(path),
    )


def _load_rows(adapter_dir: Path, shape: Sequence[int]) -> torch.Tensor:
    from safetensors.torch import load_file

    data = load_file(str(Path(adapter_dir) / TOKEN_ROWS_FILE))
    rows = data["rows"]
    if tuple(rows.shape) != tuple(shape) or data["token_ids"].tolist() != TOKEN_ROW_IDS:
        raise FgwebError(f"{adapter_dir}/{TOKEN_ROWS_FILE} does not fit this base: retrain the adapter")
    return rows


def _copy_side_files(base_dir: Path, merged_dir: Path) -> None:
    """Copies the base's tokenizer and other non-weight files that save_pretrained did not write."""
    for f in base_dir.iterdir():
        if (
            f.is_file()
            and not (merged_dir / f.name).exists()
            and not f.name.endswith(WEIGHT_SUFFIXES)
            and not f.name.endswith(".index.json")
        ):
            shutil.copy2(f, merged_dir / f.name)


def _base_name(base_dir: Path) -> str:
    cfg = json.loads((base_dir / "config.json").read_text())
    return str(cfg.get("_name_or_path") or base_dir.name)


def _progress_bar(total: int, enabled: bool) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="train", unit="step", disable=not enabled, dynamic_ncols=True)


def _clear(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def _write_json(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, indent=2) + "\n", encoding="utf-8")
