#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target into fuzz/corpus/<target>/seed-*.

Each seed is a small valid input (or a near miss that stops deep inside the parser), built here
from scratch so that nothing in the corpus is an unexplained blob. Inputs that libFuzzer found
interesting are merged next to these by `scripts/fuzz.sh --merge` (named by their SHA-1).
Deterministic: running it again rewrites the same bytes. Needs only the Python standard library.

    python3 fuzz/make_seeds.py
"""
import io
import json
import math
import os
import struct
import wave
import zipfile

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(folder, "seed-" + name), "wb") as f:
        f.write(data)


# ---- pickle protocol 2, written opcode by opcode as CPython's pickler and torch.save do ----

class Pickle:
    def __init__(self):
        self.b = bytearray(b"\x80\x02")  # PROTO 2
        self.memo = 0

    def op(self, code, payload=b""):
        self.b += code + payload
        return self

    def put(self):
        self.op(b"q", bytes([self.memo]) if self.memo < 256 else b"")
        self.memo += 1
        return self

    def int(self, v):
        if 0 <= v < 256:
            return self.op(b"K", bytes([v]))
        if 0 <= v < 65536:
            return self.op(b"M", struct.pack("<H", v))
        if -2**31 <= v < 2**31:
            return self.op(b"J", struct.pack("<i", v))
        return self.op(b"\x8a\x08", struct.pack("<q", v))  # LONG1

    def float(self, v):
        return self.op(b"G", struct.pack(">d", v))

    def str(self, s):
        data = s.encode()
        return self.op(b"X", struct.pack("<I", len(data)) + data)

    def bool(self, v):
        return self.op(b"\x88" if v else b"\x89")

    def none(self):
        return self.op(b"N")

    def glob(self, module, name):
        return self.op(b"c", (module + "\n" + name + "\n").encode())

    def value(self, v):
        """A plain Python value: dict, list, tuple, str, int, float, bool, None."""
        if v is None:
            return self.none()
        if isinstance(v, bool):
            return self.bool(v)
        if isinstance(v, int):
            return self.int(v)
        if isinstance(v, float):
            return self.float(v)
        if isinstance(v, str):
            return self.str(v)
        if isinstance(v, tuple):
            self.op(b"(")
            for x in v:
                self.value(x)
            return self.op(b"t")
        if isinstance(v, list):
            self.op(b"]").put().op(b"(")
            for x in v:
                self.value(x)
            return self.op(b"e")
        if isinstance(v, dict):
            self.op(b"}").put().op(b"(")
            for k, x in v.items():
                self.value(k)
                self.value(x)
            return self.op(b"u")
        raise TypeError(type(v))

    def fraction(self, text):
        return self.glob("fractions", "Fraction").str(text).op(b"\x85").op(b"R")

    def tensor(self, storage_type, key, numel, offset, size, stride):
        """torch._utils._rebuild_tensor_v2(persistent_id(...), offset, size, stride, False, OrderedDict())."""
        self.glob("torch._utils", "_rebuild_tensor_v2").op(b"(")
        self.op(b"(").str("storage").glob("torch", storage_type).str(key).str("cpu").int(numel).op(b"t")
        self.op(b"Q").int(offset).value(tuple(size)).value(tuple(stride)).bool(False)
        self.glob("collections", "OrderedDict").op(b")").op(b"R")
        return self.op(b"t").op(b"R")

    def stop(self):
        return bytes(self.b + b".")


def half_bits(values):
    return b"".join(struct.pack("<e", v) for v in values)


def contiguous_strides(shape):
    strides, step = [], 1
    for d in reversed(shape):
        strides.insert(0, step)
        step *= d
    return strides


def torch_package(tensors, kwargs=None, klass=("demucs.htdemucs", "HTDemucs"), segment="39/5",
                  extra_pickle=None, archive="archive"):
    """A torch.save zip: data.pkl (a Demucs-style package dict), one float16 storage per tensor."""
    p = Pickle()
    p.op(b"}").put().op(b"(")
    if klass:
        p.str("klass").glob(*klass)
    p.str("args").op(b")")
    p.str("kwargs").op(b"}").put().op(b"(")
    for k, v in (kwargs or {}).items():
        p.str(k).value(v)
    if segment:
        p.str("segment").fraction(segment)
    p.op(b"u")
    p.str("state").glob("collections", "OrderedDict").op(b")").op(b"R").put().op(b"(")
    storages = []
    for i, (name, shape) in enumerate(tensors):
        numel = math.prod(shape)
        p.str(name).tensor("HalfStorage", str(i), numel, 0, shape, contiguous_strides(shape))
        storages.append(half_bits([((i * 7 + j) % 13 - 6) / 8.0 for j in range(numel)]))
    p.op(b"u")
    if extra_pickle:
        extra_pickle(p)
    p.op(b"u")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as z:
        def add(name, data):
            info = zipfile.ZipInfo(archive + "/" + name, date_time=(1980, 1, 1, 0, 0, 0))
            z.writestr(info, data)
        add("data.pkl", p.stop())
        add("byteorder", b"little")
        for i, data in enumerate(storages):
            add("data/" + str(i), data)
        add("version", b"3\n")
    return buffer.getvalue()


def htdemucs_tensors(kw):
    """The tensors separate/htdemucs/model.cpp binds for depth-1..n kwargs without DConv or
    transformer (dconv_mode 0, t_layers 0), in its order."""
    ac, ch, k = kw["audio_channels"], kw["channels"], kw["kernel_size"]
    sources = len(kw["sources"])
    rk_enc, rk_dec = 1 + 2 * kw["context_enc"], 1 + 2 * kw["context"]
    out = []
    chin, chin_z, chout, chout_z = ac, 2 * ac, ch, ch
    freqs = kw["nfft"] // 2
    for i in range(kw["depth"]):
        d = str(kw["depth"] - 1 - i)
        out += [(f"encoder.{i}.conv.weight", [chout_z, chin_z, k, 1]), (f"encoder.{i}.conv.bias", [chout_z]),
                (f"encoder.{i}.rewrite.weight", [2 * chout_z, chout_z, rk_enc, rk_enc]),
                (f"encoder.{i}.rewrite.bias", [2 * chout_z])]
        out += [(f"tencoder.{i}.conv.weight", [chout, chin, k]), (f"tencoder.{i}.conv.bias", [chout]),
                (f"tencoder.{i}.rewrite.weight", [2 * chout, chout, rk_enc]),
                (f"tencoder.{i}.rewrite.bias", [2 * chout])]
        if i == 0:
            chin = ac * sources
            chin_z = 2 * chin
        out += [(f"decoder.{d}.conv_tr.weight", [chout_z, chin_z, k, 1]), (f"decoder.{d}.conv_tr.bias", [chin_z]),
                (f"decoder.{d}.rewrite.weight", [2 * chout_z, chout_z, rk_dec, rk_dec]),
                (f"decoder.{d}.rewrite.bias", [2 * chout_z])]
        out += [(f"tdecoder.{d}.conv_tr.weight", [chout, chin, k]), (f"tdecoder.{d}.conv_tr.bias", [chin]),
                (f"tdecoder.{d}.rewrite.weight", [2 * chout, chout, rk_dec]),
                (f"tdecoder.{d}.rewrite.bias", [2 * chout])]
        chin, chin_z = chout, chout_z
        chout *= kw["growth"]
        chout_z *= kw["growth"]
        freqs //= kw["stride"]
        if i == 0 and kw["freq_emb"] != 0:
            out.append(("freq_emb.embedding.weight", [freqs, chin_z]))
    return out


def htdemucs_kwargs(**changes):
    kw = dict(sources=["drums", "bass"], audio_channels=1, samplerate=8000, channels=4, growth=2, nfft=64,
              depth=1, freq_emb=0.2, kernel_size=8, stride=4, context=0, context_enc=0, dconv_mode=0,
              dconv_comp=4, t_layers=0, t_heads=1, bottom_channels=0, cac=True, rewrite=True)
    kw.update(changes)
    return kw


def checkpoint_seeds():
    small = htdemucs_kwargs()
    deeper = htdemucs_kwargs(depth=2, nfft=256, sources=["vocals"], audio_channels=2, context=1)
    for name, kw in [("small.th", small), ("depth2.th", deeper)]:
        package = torch_package(htdemucs_tensors(kw), kw, segment="1/4")
        write("htdemucs_checkpoint_fuzz", name, package)
        write("torch_package_fuzz", name, package)
    # Near misses for the model: a missing tensor, an unknown option, transformer and DConv on.
    write("htdemucs_checkpoint_fuzz", "missing_tensor.th",
          torch_package(htdemucs_tensors(small)[:-1], small, segment="1/4"))
    write("htdemucs_checkpoint_fuzz", "transformer.th",
          torch_package(htdemucs_tensors(small), htdemucs_kwargs(t_layers=1, dconv_mode=3), segment="1/4"))
    # Packages with what real ones also hold: training args, metrics, nested state dicts, views.
    def extras(p):
        p.str("training_args").value({"lr": 3e-4, "epochs": 360, "augment": [True, None], "name": "x"})
        p.str("metrics").value({"valid": [1.5, 2.25], "best": {"epoch": 7}})
    write("torch_package_fuzz", "extras.th",
          torch_package([("a.weight", [2, 3]), ("b.bias", [4])], {"sources": ["x"]}, extra_pickle=extras))
    write("torch_package_fuzz", "other_prefix.th",
          torch_package([("w", [3])], {}, klass=None, segment=None, archive="model"))
    # Raw pickles: the package pickle itself, plain values, memo and DUP use.
    p = Pickle().value({"kwargs": {"sources": ["drums", "bass"], "segment": 7.8, "flags": (True, False, None)},
                        "list": [1, -2, 70000, 2**40, 0.5, "text"], "nested": [[[]], {"k": ()}]})
    write("pickle_fuzz", "plain.pkl", p.stop())
    p = Pickle()
    p.op(b"]").put().str("shared").op(b"2").op(b"a").op(b"h\x00").op(b"\x85").op(b"0")
    write("pickle_fuzz", "memo_dup.pkl", p.stop())
    p = Pickle().op(b"}").put().str("f").fraction("39/5").op(b"s").str("t")
    p.tensor("FloatStorage", "0", 6, 0, [2, 3], [3, 1]).op(b"s").str("g").glob("demucs.htdemucs", "HTDemucs").op(b"s")
    write("pickle_fuzz", "globals.pkl", p.stop())
    with zipfile.ZipFile(io.BytesIO(torch_package(htdemucs_tensors(small), small, segment="1/4"))) as z:
        write("pickle_fuzz", "package.pkl", z.read("archive/data.pkl"))


def safetensors(tensors, metadata=None):
    header, data = {}, b""
    for name, dtype, shape in tensors:
        numel = math.prod(shape)
        if dtype == "F16":
            blob = half_bits([(j % 5) / 4.0 for j in range(numel)])
        elif dtype == "BF16":
            blob = b"".join(struct.pack("<f", (j % 5) / 4.0)[2:] for j in range(numel))
        else:
            blob = b"".join(struct.pack("<f", (j % 5) / 4.0) for j in range(numel))
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(blob)]}
        data += blob
    if metadata is not None:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


def safetensors_seeds():
    write("safetensors_fuzz", "mixed.safetensors",
          safetensors([("a.weight", "F16", [2, 3]), ("b", "F32", [4]), ("c", "BF16", [1, 2, 2])], {"format": "pt"}))
    write("safetensors_fuzz", "scalar.safetensors", safetensors([("s", "F32", []), ("e", "F32", [0, 3])]))
    small = htdemucs_kwargs()
    write("htdemucs_checkpoint_fuzz", "small.safetensors",
          safetensors([(n, "F16", s) for n, s in htdemucs_tensors(small)]))


# ---- audio ----

def wav_pcm(channels, rate, width, frames):
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        samples = []
        for i in range(frames):
            for c in range(channels):
                v = math.sin(2 * math.pi * 440 * i / rate + c) * 0.5
                if width == 1:
                    samples.append(struct.pack("<B", int(128 + 100 * v)))
                elif width == 2:
                    samples.append(struct.pack("<h", int(30000 * v)))
                else:
                    samples.append(struct.pack("<i", int(2**30 * v))[4 - width:])
        w.writeframes(b"".join(samples))
    return buffer.getvalue()


def wav_float(channels, rate, frames):
    data = b"".join(struct.pack("<f", math.sin(i * 0.1 + c) * 0.5) for i in range(frames) for c in range(channels))
    fmt = struct.pack("<HHIIHH", 3, channels, rate, rate * channels * 4, channels * 4, 32)
    fact = struct.pack("<I", frames)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"fact" + struct.pack("<I", 4) + fact
    body += b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def aiff_pcm16(channels, rate, frames):
    def extended(v):  # 80-bit IEEE extended, as AIFF stores the sample rate
        exponent = int(math.floor(math.log2(v)))
        mantissa = int(v / 2**exponent * 2**63)
        return struct.pack(">HQ", exponent + 16383, mantissa)
    data = b"".join(struct.pack(">h", int(8000 * math.sin(i * 0.2 + c))) for i in range(frames) for c in range(channels))
    comm = struct.pack(">hIh", channels, frames, 16) + extended(rate)
    ssnd = struct.pack(">II", 0, 0) + data
    body = b"AIFF" + b"COMM" + struct.pack(">I", len(comm)) + comm + b"SSND" + struct.pack(">I", len(ssnd)) + ssnd
    return b"FORM" + struct.pack(">I", len(body)) + body


def audio_seeds():
    write("audio_file_fuzz", "mono16.wav", wav_pcm(1, 8000, 2, 64))
    write("audio_file_fuzz", "stereo24.wav", wav_pcm(2, 44100, 3, 32))
    write("audio_file_fuzz", "u8.wav", wav_pcm(1, 11025, 1, 48))
    write("audio_file_fuzz", "float.wav", wav_float(2, 48000, 32))
    write("audio_file_fuzz", "stereo.aiff", aiff_pcm16(2, 22050, 32))
    try:  # FLAC and Ogg Vorbis need libsndfile's encoders; skipped where soundfile is absent
        import numpy
        import soundfile
        tone = numpy.sin(numpy.arange(256) * 0.05).astype("float32") * 0.5
        for name, fmt, sub in [("mono.flac", "FLAC", "PCM_16"), ("mono.ogg", "OGG", "VORBIS")]:
            buffer = io.BytesIO()
            soundfile.write(buffer, tone, 8000, format=fmt, subtype=sub)
            write("audio_file_fuzz", name, buffer.getvalue())
    except ImportError:
        pass


# ---- Standard MIDI Files ----

def vlq(v):
    out = [v & 0x7F]
    v >>= 7
    while v:
        out.insert(0, 0x80 | (v & 0x7F))
        v >>= 7
    return bytes(out)


def smf(fmt, division, tracks):
    out = b"MThd" + struct.pack(">IHHH", 6, fmt, len(tracks), division)
    for events in tracks:
        body = b"".join(vlq(dt) + ev for dt, ev in events) + vlq(0) + b"\xff\x2f\x00"
        out += b"MTrk" + struct.pack(">I", len(body)) + body
    return out


def midi_seeds():
    tempo = [(0, b"\xff\x51\x03\x07\xa1\x20"), (0, b"\xff\x58\x04\x04\x02\x18\x08"), (960, b"\xff\x51\x03\x05\x16\x15")]
    notes = [(0, b"\xff\x03\x04Lead"), (0, b"\xc0\x51"), (0, b"\x90\x3c\x64"), (240, b"\x3e\x50"),  # running status
             (240, b"\x80\x3c\x00"), (0, b"\x90\x3e\x00"), (0, b"\xe0\x00\x50"), (10, b"\xb0\x07\x64"),
             (0, b"\xf0\x03\x7e\x7f\xf7"), (0, b"\xff\x7f\x02\x00\x01")]
    drums = [(0, b"\x99\x24\x7f"), (120, b"\x89\x24\x40"), (0, b"\x99\x26\x60"), (120, b"\x99\x26\x00")]
    write("midi_file_fuzz", "type1.mid", smf(1, 480, [tempo, notes, drums]))
    write("midi_file_fuzz", "type0.mid", smf(0, 96, [tempo[:1] + notes]))
    write("midi_file_fuzz", "type2_smpte.mid", smf(2, 0xE728, [notes, drums]))  # -25 fps, 40 ticks per frame


# ---- presets ----

def preset_seeds():
    write("preset_fuzz", "full.json", json.dumps({
        "format": 1, "name": "Seed Lead", "category": "lead",
        "params": {"osc1_wave": "saw", "osc2_wave": 2, "filter_cutoff": 1200, "filter_resonance": 0.3,
                   "amp_env_attack": 0.01, "amp_env_release": 0.2, "osc2_sync": True}}, indent=1))
    write("preset_fuzz", "minimal.json", '{"format":1,"name":"x"}')
    write("preset_fuzz", "wrong_types.json", '{"format":1.5,"name":5,"category":[],"params":{"filter_cutoff":"hi"}}')
    # Format 2's fields: tags, author, instrument, the effect chain (with a gap, a duplicate and an
    # unknown effect), effect parameters, tempo-synced delay, unknown ids that are only warnings.
    write("preset_fuzz", "format2.json", json.dumps({
        "format": 2, "name": "Seed Pad", "category": "pad", "tags": ["wide", "slow"], "author": "seed",
        "instrument": "synth", "chain": ["phaser", "none", "reverb", "reverb", "granulator"],
        "params": {"distortion_on": True, "distortion_curve": "fold", "distortion_drive": 24,
                   "delay_sync": "1/8d", "delay_ping_pong": True, "delay_low_cut": 300,
                   "reverb_decay": 4.5, "reverb_pre_delay": 25, "reverb_width": 0.5,
                   "eq_mid_q": 2, "compressor_ratio": 8, "fx_slot8": "eq", "lfo9_rate": 3}}, indent=1))
    write("preset_fuzz", "drum_kit.json", '{"format":2,"instrument":"drum_kit","chain":[]}')
    write("preset_fuzz", "format1_reverb.json", '{"format":1,"params":{"reverb_on":true,"reverb_size":0.9}}')
    presets = os.path.join(os.path.dirname(CORPUS), "..", "presets")
    for name in ("atmosphere.json", "distortion_lead.json"):  # two factory presets, as they ship
        with open(os.path.join(presets, name), "rb") as f:
            write("preset_fuzz", "factory-" + name, f.read())
    # Two presets in format 1, as the previous version shipped them (for the migration).
    tests = os.path.join(os.path.dirname(CORPUS), "..", "tests", "synth", "data")
    with open(os.path.join(tests, "format1_bell.json"), "rb") as f:
        write("preset_fuzz", "factory-bell.json", f.read())


# ---- TF.js graph models: model.json, the separator line, the weight shard ----

def tfjs(nodes, weights):
    shard = b""
    manifest = []
    for name, dtype, shape, values in weights:
        manifest.append({"name": name, "shape": shape, "dtype": dtype})
        shard += b"".join(struct.pack("<i" if dtype == "int32" else "<f", v) for v in values)
    model = {"format": "graph-model", "generatedBy": "seed", "convertedBy": "TensorFlow.js Converter",
             "modelTopology": {"node": nodes},
             "weightsManifest": [{"paths": ["group1-shard1of1.bin"], "weights": manifest}]}
    return json.dumps(model, indent=1).encode() + b"\n--shard--\n" + shard


def b64(text):
    import base64
    return base64.b64encode(text.encode()).decode()


def tfjs_seeds():
    nodes = [
        {"name": "input_2", "op": "Placeholder", "attr": {"dtype": {"type": "DT_FLOAT"}}},
        {"name": "model/conv/Conv2D/ReadVariableOp", "op": "Const"},
        {"name": "model/conv/BiasAdd/ReadVariableOp", "op": "Const"},
        {"name": "model/conv/Relu", "op": "_FusedConv2D",
         "input": ["input_2", "model/conv/Conv2D/ReadVariableOp", "model/conv/BiasAdd/ReadVariableOp", "^ctl:0"],
         "attr": {"strides": {"list": {"i": ["1", "1", "3", "1"]}}, "padding": {"s": b64("SAME")},
                  "fused_ops": {"list": {"s": [b64("BiasAdd"), b64("Relu")]}}}},
        {"name": "model/pad", "op": "MirrorPad", "input": ["model/conv/Relu:0", "model/pad/paddings"],
         "attr": {"mode": {"s": b64("REFLECT")}}},
        {"name": "model/pad/paddings", "op": "Const"},
        {"name": "Identity", "op": "Identity", "input": ["model/pad"]},
    ]
    weights = [("model/conv/Conv2D/ReadVariableOp", "float32", [1, 3, 1, 2], [0.5, -0.25, 1, 2, 0, 0.125]),
               ("model/conv/BiasAdd/ReadVariableOp", "float32", [2], [0.1, -0.1]),
               ("model/pad/paddings", "int32", [4, 2], [0, 0, 1, 1, 0, 0, 0, 0])]
    write("tfjs_model_fuzz", "small_graph", tfjs(nodes, weights))
    write("tfjs_model_fuzz", "no_weights", tfjs(nodes[:1], []))
    write("tfjs_model_fuzz", "truncated_shard", tfjs(nodes, weights)[:-6])


# ---- RoFormer configs ----

def roformer_seeds():
    # The released layouts narrowed to small models, and the defaults-only minimum.
    bands = "".join("  - %d\n" % w for w, n in ((2, 24), (4, 12), (12, 8), (24, 8), (48, 8), (128, 1), (129, 1))
                    for _ in range(n))
    write("roformer_config_fuzz", "bs_tuple.yaml",
          "audio:\n  chunk_size: 8820\n  sample_rate: 44100\nmodel:\n  dim: 8\n  depth: 1\n  stereo: true\n"
          "  num_stems: 1\n  time_transformer_depth: 1\n  freq_transformer_depth: 1\n"
          "  freqs_per_bands: !!python/tuple\n" + bands +
          "  dim_head: 4\n  heads: 2\n  stft_n_fft: 2048\n  stft_hop_length: 441\n  stft_win_length: 2048\n"
          "  mask_estimator_depth: 2\n  mlp_expansion_factor: 1\n"
          "training:\n  instruments:\n  - vocals\n  - other\n  target_instrument: vocals\n"
          "inference:\n  batch_size: 4\n  num_overlap: 2\n")
    write("roformer_config_fuzz", "mel.yaml",
          "audio:\n  chunk_size: 8820\nmodel:\n  dim: 8\n  depth: 1\n  stereo: true\n  num_bands: 60\n"
          "  sample_rate: 44100\n  dim_head: 4\n  heads: 2\n  stft_n_fft: 2048\n  stft_hop_length: 441\n"
          "  mask_estimator_depth: 2\n  mlp_expansion_factor: 1\n"
          "training:\n  target_instrument: vocals\ninference:\n  batch_size: 1\n  num_overlap: 4\n")
    write("roformer_config_fuzz", "tiny.yaml",
          "audio:\n  chunk_size: 100\nmodel:\n  dim: 4\n  depth: 1\n  stft_n_fft: 16\n  stft_hop_length: 4\n"
          "  freqs_per_bands: [4, 5]\ntraining:\n  target_instrument: vocals\n")


# ---- model registry files ----

def registry_seeds():
    sha = "0123456789abcdef" * 4

    def model(name, architecture, files, sources=("vocals",)):
        return {"name": name, "description": "a model", "architecture": architecture, "sources": list(sources),
                "files": [{"name": f, "url": "https://example.org/" + f, "size": 1000 + i, "sha256": sha}
                          for i, f in enumerate(files)]}

    write("model_registry_fuzz", "roformer.json", json.dumps({"models": [
        model("bs", "bs_roformer", ["bs.ckpt", "bs.yaml"]),
        model("mel", "mel_band_roformer", ["mel.ckpt", "mel.yaml"])]}))
    write("model_registry_fuzz", "htdemucs_bag.json", json.dumps({"models": [
        model("bag", "htdemucs", ["a.th", "b.th", "c.safetensors"], ("drums", "bass", "other", "vocals"))]}))
    write("model_registry_fuzz", "roformer_without_ckpt.json",
          json.dumps({"models": [model("bs", "bs_roformer", ["bs.pt", "bs.yaml"])]}))
    write("model_registry_fuzz", "taken_name.json", json.dumps({"models": [model("htdemucs", "htdemucs", ["x.th"])]}))
    write("model_registry_fuzz", "bad_hash.json",
          json.dumps({"models": [model("bs", "bs_roformer", ["bs.ckpt", "bs.yaml"])]}).replace(sha, sha[:-1] + "g"))


def main():
    registry_seeds()
    roformer_seeds()
    checkpoint_seeds()
    safetensors_seeds()
    audio_seeds()
    midi_seeds()
    preset_seeds()
    tfjs_seeds()


if __name__ == "__main__":
    main()
