#!/usr/bin/env python3
"""Writes a small Llama-shaped f16 GGUF with random weights, for runs where the real model cannot travel.

Its only job is to give llama.cpp real shapes: head size 128 (a size every flash-attention backend has kernels for),
grouped-query attention, a byte-level SentencePiece vocabulary so any text tokenizes. Its outputs are meaningless.

usage: make-random-llama.py <llama.cpp source dir> <out.gguf> [--layers N] [--embd N] [--heads N] [--kv-heads N]
                             [--ff N] [--ctx N]
"""
import argparse
import sys
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("llama_cpp", type=Path, help="llama.cpp source tree (its gguf-py is used)")
parser.add_argument("out", type=Path)
parser.add_argument("--layers", type=int, default=8)
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--embd", type=int, default=1024, help="embedding size (query heads x 128)")
parser.add_argument("--heads", type=int, default=8, help="query heads")
parser.add_argument("--kv-heads", type=int, default=4, help="K/V heads")
parser.add_argument("--ff", type=int, default=2816, help="feed-forward size")
parser.add_argument("--ctx", type=int, default=4096, help="training context written to the file")
args = parser.parse_args()
if args.embd != args.heads * 128 or args.heads % args.kv_heads != 0:
    parser.error(f"--embd must be --heads x 128 and --heads a multiple of --kv-heads (got {args.embd}, {args.heads}, "
                 f"{args.kv_heads})")

sys.path.insert(0, str(args.llama_cpp / "gguf-py"))
import numpy as np  # noqa: E402
import gguf  # noqa: E402

n_embd, n_head, n_head_kv, head_dim, n_ff, n_ctx = args.embd, args.heads, args.kv_heads, 128, args.ff, args.ctx
n_embd_kv = n_head_kv * head_dim
rng = np.random.default_rng(args.seed)

# SentencePiece-style vocabulary: unknown, BOS, EOS, then the 256 byte tokens
tokens = [b"<unk>", b"<s>", b"</s>"] + [f"<0x{b:02X}>".encode() for b in range(256)]
token_types = [gguf.TokenType.UNKNOWN, gguf.TokenType.CONTROL, gguf.TokenType.CONTROL] + [gguf.TokenType.BYTE] * 256
n_vocab = len(tokens)

w = gguf.GGUFWriter(str(args.out), "llama")
w.add_name("random-llama")
w.add_context_length(n_ctx)
w.add_embedding_length(n_embd)
w.add_block_count(args.layers)
w.add_feed_forward_length(n_ff)
w.add_head_count(n_head)
w.add_head_count_kv(n_head_kv)
w.add_rope_dimension_count(head_dim)
w.add_layer_norm_rms_eps(1e-5)
w.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
w.add_tokenizer_model("llama")
w.add_token_list(tokens)
w.add_token_scores([0.0] * n_vocab)
w.add_token_types(token_types)
w.add_bos_token_id(1)
w.add_eos_token_id(2)
w.add_unk_token_id(0)


def weight(rows: int, cols: int) -> "np.ndarray":
    # numpy (rows, cols) is ggml ne = [cols, rows]; scaled so activations stay finite through the layers
    return (rng.standard_normal((rows, cols), dtype=np.float32) / np.sqrt(cols)).astype(np.float16)


def norm() -> "np.ndarray":
    return np.ones(n_embd, dtype=np.float32)


w.add_tensor("token_embd.weight", weight(n_vocab, n_embd))
w.add_tensor("output_norm.weight", norm())
w.add_tensor("output.weight", weight(n_vocab, n_embd))
for il in range(args.layers):
    w.add_tensor(f"blk.{il}.attn_norm.weight", norm())
    w.add_tensor(f"blk.{il}.attn_q.weight", weight(n_embd, n_embd))
    w.add_tensor(f"blk.{il}.attn_k.weight", weight(n_embd_kv, n_embd))
    w.add_tensor(f"blk.{il}.attn_v.weight", weight(n_embd_kv, n_embd))
    w.add_tensor(f"blk.{il}.attn_output.weight", weight(n_embd, n_embd))
    w.add_tensor(f"blk.{il}.ffn_norm.weight", norm())
    w.add_tensor(f"blk.{il}.ffn_gate.weight", weight(n_ff, n_embd))
    w.add_tensor(f"blk.{il}.ffn_up.weight", weight(n_ff, n_embd))
    w.add_tensor(f"blk.{il}.ffn_down.weight", weight(n_embd, n_ff))

w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()
n_params = 2 * n_vocab * n_embd + n_embd + args.layers * (
    2 * n_embd * n_embd + 2 * n_embd * n_head_kv * head_dim + 3 * n_embd * n_ff + 2 * n_embd)
print(f"{args.out}: llama, {args.layers} layers, n_embd {n_embd}, head size {head_dim}, {n_head}/{n_head_kv} heads, "
      f"n_ff {n_ff}, vocab {n_vocab}, {n_params / 1e6:.1f} M parameters, f16, random weights (seed {args.seed})")
