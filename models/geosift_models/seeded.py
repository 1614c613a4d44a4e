"""Builds open_clip models with seeded random weights and a local Unigram tokenizer, with no network access."""
from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any, Iterator, Optional

from ._env import import_open_clip, offline
from .tokenizer_export import SAMPLE_SENTENCES

RS_M_CLIP_ARCH = 'xlm-roberta-base-ViT-B-32'
TINY_XLMR_ARCH = 'geosift-tiny-xlmr'
TINY_CLIP_ARCH = 'geosift-tiny-clip'

# Hyper-parameters of Hugging Face's xlm-roberta-base config.json, so the seeded text tower has the
# exact shapes of RS-M-CLIP's (including the 250002-row embedding table).
XLM_ROBERTA_BASE: dict[str, Any] = dict(
    vocab_size=250002, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
    intermediate_size=3072, hidden_act='gelu', hidden_dropout_prob=0.1,
    attention_probs_dropout_prob=0.1, max_position_embeddings=514, type_vocab_size=1,
    initializer_range=0.02, layer_norm_eps=1e-05, pad_token_id=1, bos_token_id=0, eos_token_id=2,
    position_embedding_type='absolute', use_cache=True, classifier_dropout=None,
)
TINY_XLM_ROBERTA: dict[str, Any] = dict(
    XLM_ROBERTA_BASE, vocab_size=250002, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
    intermediate_size=64,
)

_HF_CONFIGS = {'xlm-roberta-base': XLM_ROBERTA_BASE, 'geosift-tiny-xlm-roberta': TINY_XLM_ROBERTA}

_TINY_CONFIGS: dict[str, dict[str, Any]] = {
    TINY_XLMR_ARCH: {
        'embed_dim': 16,
        'vision_cfg': {'image_size': 64, 'layers': 2, 'width': 32, 'head_width': 16, 'patch_size': 16},
        'text_cfg': {
            'hf_model_name': 'geosift-tiny-xlm-roberta',
            'hf_tokenizer_name': 'geosift-tiny-xlm-roberta',
            'hf_pooler_type': 'mean_pooler',
        },
    },
    TINY_CLIP_ARCH: {
        'embed_dim': 16,
        'vision_cfg': {'image_size': 64, 'layers': 2, 'width': 32, 'head_width': 16, 'patch_size': 16},
        'text_cfg': {'context_length': 77, 'vocab_size': 49408, 'width': 32, 'heads': 2, 'layers': 2},
    },
}


def register_tiny_configs() -> None:
    """Adds the two tiny test architectures to open_clip's registry (idempotent)."""
    import_open_clip()
    from open_clip import factory

    for name, cfg in _TINY_CONFIGS.items():
        factory._MODEL_CONFIGS.setdefault(name, json.loads(json.dumps(cfg)))


@contextlib.contextmanager
def local_hf_configs() -> Iterator[None]:
    """Makes open_clip's HFTextEncoder build its transformer from the configs above instead of the Hub."""
    import_open_clip()
    from open_clip import hf_model
    from transformers import XLMRobertaConfig

    original = hf_model.AutoConfig.from_pretrained

    def from_pretrained(name: str, *args: Any, **kwargs: Any):
        if name in _HF_CONFIGS:
            return XLMRobertaConfig(**_HF_CONFIGS[name])
        return original(name, *args, **kwargs)

    hf_model.AutoConfig.from_pretrained = from_pretrained  # type: ignore[method-assign]
    try:
        yield
    finally:
        hf_model.AutoConfig.from_pretrained = original  # type: ignore[method-assign]


def create_seeded_model(arch: str = RS_M_CLIP_ARCH, seed: int = 0):
    """open_clip model of architecture arch with torch-seeded random weights; returns (model, preprocess_cfg)."""
    import torch

    offline()
    oc = import_open_clip()
    register_tiny_configs()
    torch.manual_seed(seed)
    with local_hf_configs():
        model = oc.create_model(arch, pretrained=None, pretrained_text=False, pretrained_image=False)
    model.eval()
    return model


UNIGRAM_CORPUS_EXTRA = [
    'a satellite image of {}', 'an aerial photograph of {}', 'uma imagem de satélite de {}',
    'una imagen de satélite de {}', 'une image satellite de {}', 'ein Satellitenbild von {}',
    'een satellietbeeld van {}', "un'immagine satellitare di {}", '{}的卫星图像', '{}의 위성 이미지',
    'спутниковый снимок {}', 'airport runway harbour river forest farmland parking lot stadium',
    'beach bridge church desert meadow mountain pond railway station school square storage tanks',
]


def build_unigram_tokenizer(out_dir: Path, vocab_size: int = 3000) -> Path:
    """Trains an XLM-R-shaped Unigram tokenizer (ids 0-3 <s> <pad> </s> <unk>) on local text; saves it as a
    transformers tokenizer folder (tokenizer.json + config) that AutoTokenizer loads offline."""
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import XLMRobertaTokenizerFast

    corpus = list(SAMPLE_SENTENCES) + UNIGRAM_CORPUS_EXTRA
    corpus += [t.replace('{}', c) for t in UNIGRAM_CORPUS_EXTRA[:11] for c in ('houses', 'golf', 'avions', '森林')]
    tok = Tokenizer(models.Unigram())
    # XLM-R normalises with sentencepiece's nmt_nfkc map; NFKC plus its collapse of repeated spaces is
    # the closest normaliser that can be built without the real sentencepiece model.
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Replace(' {2,}', ' ')])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement='▁', prepend_scheme='always')
    tok.decoder = decoders.Metaspace(replacement='▁', prepend_scheme='always')
    trainer = trainers.UnigramTrainer(
        vocab_size=vocab_size, special_tokens=['<s>', '<pad>', '</s>', '<unk>'], unk_token='<unk>',
        show_progress=False, shrinking_factor=0.75, max_piece_length=16,
    )
    tok.train_from_iterator(corpus * 3, trainer=trainer)
    tok.add_special_tokens(['<mask>'])
    tok.post_processor = processors.TemplateProcessing(
        single='<s> $A </s>', pair='<s> $A </s> </s> $B </s>',
        special_tokens=[('<s>', 0), ('</s>', 2)],
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    fast = XLMRobertaTokenizerFast(tokenizer_object=tok, bos_token='<s>', eos_token='</s>', sep_token='</s>',
                                   cls_token='<s>', unk_token='<unk>', pad_token='<pad>', mask_token='<mask>')
    fast.model_max_length = 512
    fast.save_pretrained(str(out_dir))
    return out_dir


def seeded_hf_tokenizer(tokenizer_dir: Path, context_length: int = 77):
    """open_clip HFTokenizer over the local Unigram tokenizer folder."""
    oc = import_open_clip()
    return oc.tokenizer.HFTokenizer(str(tokenizer_dir), context_length=context_length)


def seeded_loaded_model(arch: str, tokenizer_dir: Optional[Path] = None, seed: int = 0):
    """LoadedModel for export: seeded weights; HF-text architectures use the local Unigram tokenizer."""
    from dataclasses import replace

    from .export import LoadedModel, _preprocess_of
    from .registry import RS_M_CLIP, SourceInfo

    oc = import_open_clip()
    model = create_seeded_model(arch, seed)
    text_cfg = oc.get_model_config(arch)['text_cfg']
    if 'hf_model_name' in text_cfg:
        if tokenizer_dir is None:
            raise ValueError(f'{arch} has a Hugging Face text tower: pass tokenizer_dir')
        # the same context length open_clip.get_tokenizer would choose for this architecture
        from open_clip.tokenizer import DEFAULT_CONTEXT_LENGTH

        tokenizer = seeded_hf_tokenizer(tokenizer_dir, context_length=text_cfg.get('context_length', DEFAULT_CONTEXT_LENGTH))
    else:
        tokenizer = oc.get_tokenizer(arch)
    if arch == RS_M_CLIP_ARCH:
        info = replace(RS_M_CLIP, id='rs-m-clip-seeded', name='RS-M-CLIP architecture, seeded random weights',
                       license='MIT', provenance={'weights': f'torch.manual_seed({seed}) random init; NOT the real model',
                                                  'tokenizer': 'local Unigram test tokenizer, NOT the XLM-R vocabulary'})
    else:
        info = SourceInfo(id=arch, name=f'{arch} (seeded random weights)', license='MIT',
                          languages=list(RS_M_CLIP.languages) if 'xlmr' in arch else ['en'])
    return LoadedModel(model, tokenizer, arch, f'seeded-random:{arch}:seed={seed}', info, _preprocess_of(model))
