"""Times one training step (batch 8) under the cheaper variants, on the same four batches.

    python3 scripts/train_step_cost.py BASE_DIR DATA_DIR

BASE_DIR is a model stage folder (a Hugging Face checkpoint the committed adapter fits), DATA_DIR a data
stage folder with train.jsonl. Prints one JSON line per variant; docs/accuracy.md has the figures.
The variants are what `fgweb train --no-prefix-grad` and `--lora-layers N` do.
"""

import json
import sys
import time
from pathlib import Path

import torch
from peft import PeftModel

from fgweb import train
from fgweb.model import load_model, load_tokenizer
from fgweb.tools import builtin_toolset


def main(base: Path, data: Path) -> None:
    torch.set_num_threads(2)
    tokenizer = load_tokenizer(base)
    records = train.read_records(data / "train.jsonl")
    tools = builtin_toolset().tools
    full = train.encode_examples(tokenizer, tools, records, 1536)
    short = train.encode_examples(tokenizer, tools, records, 1024)
    lengths = [len(e.rest_ids) for e in full.examples]
    print(json.dumps({
        "prefix_tokens": len(full.prefix_ids), "examples": len(full.examples),
        "dropped_at_1536": full.dropped, "dropped_at_1024": short.dropped,
        "mean_rest_1536": round(sum(lengths) / len(lengths), 1),
        "mean_rest_1024": round(sum(len(e.rest_ids) for e in short.examples) / len(short.examples), 1),
    }), flush=True)

    model = load_model(base, torch.float32)
    peft_model = PeftModel.from_pretrained(model, str(train.PRETRAINED_ADAPTER_DIR), is_trainable=True)
    rows = train.FunctionTokenRows(model.get_input_embeddings(), model.lm_head, train.TOKEN_ROW_IDS,
                                   model.config.get_text_config().final_logit_softcapping)
    stream = train.batches(len(full.examples), 8, 0, lengths)
    fixed = [[full.examples[i] for i in next(stream)[0]] for _ in range(4)]
    n_layers = model.config.get_text_config().num_hidden_layers

    def run(name: str, lora_layers: int = 0, prefix_grad: bool = True,
            input_rows: bool | None = None) -> None:
        lowest = n_layers - lora_layers if lora_layers else 0
        params = [rows.rows]
        for n, p in peft_model.named_parameters():
            if "lora_" in n:
                p.requires_grad_(int(n.split(".layers.", 1)[1].split(".", 1)[0]) >= lowest)
                if p.requires_grad:
                    params.append(p)
        seconds = []
        for batch in fixed:
            t0 = time.perf_counter()
            loss = train.shared_prefix_loss(model.model, rows, full.prefix_ids, batch,
                                            prefix_grad=prefix_grad,
                                            input_rows_grad=lowest == 0 if input_rows is None else input_rows)
            loss.backward()
            for p in params:
                p.grad = None
            seconds.append(time.perf_counter() - t0)
        print(json.dumps({
            "variant": name, "s_per_step": [round(s, 2) for s in seconds],
            "mean_after_first": round(sum(seconds[1:]) / (len(seconds) - 1), 2),
            "tokens": [len(full.prefix_ids) + sum(len(e.rest_ids) for e in b) for b in fixed],
        }), flush=True)

    run("baseline: LoRA on all layers, developer turn with gradient")
    run("developer turn without gradient", prefix_grad=False)
    run("LoRA on the top half, function-token input rows still trained", lora_layers=n_layers // 2,
        input_rows=True)
    run("LoRA on the top half, function-token input rows frozen", lora_layers=n_layers // 2)
    run("top half, input rows frozen, developer turn without gradient", lora_layers=n_layers // 2,
        prefix_grad=False)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]))
