"""What the exporter knows about published checkpoints: licence, languages and prompt templates per source."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

RS_M_CLIP_LANGUAGES = ['en', 'pt', 'es', 'fr', 'de', 'nl', 'it', 'zh', 'ko', 'ru']

# Two templates per language; '{}' is replaced by the class name or the query.
REMOTE_SENSING_TEMPLATES: dict[str, list[str]] = {
    'en': ['a satellite photo of {}.', 'an aerial photo of {}.'],
    'pt': ['uma foto de satélite de {}.', 'uma foto aérea de {}.'],
    'es': ['una foto satelital de {}.', 'una foto aérea de {}.'],
    'fr': ['une photo satellite de {}.', 'une photo aérienne de {}.'],
    'de': ['ein Satellitenfoto von {}.', 'ein Luftbild von {}.'],
    'nl': ['een satellietfoto van {}.', 'een luchtfoto van {}.'],
    'it': ['una foto satellitare di {}.', 'una foto aerea di {}.'],
    'zh': ['{}的卫星照片。', '{}的航拍照片。'],
    'ko': ['{}의 위성 사진.', '{}의 항공 사진.'],
    'ru': ['спутниковый снимок: {}.', 'аэрофотоснимок: {}.'],
}


@dataclass(frozen=True)
class SourceInfo:
    id: str
    name: str
    license: str
    languages: list[str]
    description: str = ''
    preferred_gsd_m: Optional[float] = None
    provenance: dict = field(default_factory=dict)

    def templates(self) -> dict[str, list[str]]:
        return {lang: REMOTE_SENSING_TEMPLATES[lang] for lang in self.languages if lang in REMOTE_SENSING_TEMPLATES}


RS_M_CLIP = SourceInfo(
    id='rs-m-clip',
    name='RS-M-CLIP (ViT-B/32, XLM-RoBERTa base)',
    license='MIT',
    languages=RS_M_CLIP_LANGUAGES,
    description='Multilingual remote-sensing CLIP (Silva et al. 2024, arXiv:2410.23370), fine-tuned from '
    'laion/CLIP-ViT-B-32-xlm-roberta-base-laion5B-s13B-b90k on RS image-caption sets translated into 10 languages.',
    provenance={'citation': 'Silva, Magalhaes, Tuia, Martins. Multilingual Vision-Language Pre-training for the '
                'Remote Sensing Domain. arXiv:2410.23370, 2024', 'repository': 'https://github.com/DannielSilva/RS-M-CLIP'},
)

# Keys are what a user passes as MODEL_NAME (or MODEL_NAME + ':' + pretrained tag / file name hint).
KNOWN_SOURCES: dict[str, SourceInfo] = {
    'hf-hub:joaodaniel/RS-M-CLIP': RS_M_CLIP,
    'ViT-B-32:RemoteCLIP-ViT-B-32.pt': SourceInfo(
        id='remoteclip-vit-b-32', name='RemoteCLIP ViT-B/32', license='Apache-2.0 (check the model card)',
        languages=['en'], description='RemoteCLIP (Liu et al. 2024), checkpoint file from hf chendelong/RemoteCLIP.'),
    'hf-hub:laion/CLIP-ViT-B-32-xlm-roberta-base-laion5B-s13B-b90k': SourceInfo(
        id='laion-xlmr-vit-b-32', name='LAION CLIP ViT-B/32 XLM-RoBERTa base', license='MIT',
        languages=RS_M_CLIP_LANGUAGES, description='The multilingual base RS-M-CLIP was fine-tuned from.'),
    'ViT-B-32:openai': SourceInfo(id='openai-clip-vit-b-32', name='OpenAI CLIP ViT-B/32', license='MIT',
                                  languages=['en']),
    'ViT-B-32:laion2b_s34b_b79k': SourceInfo(id='laion-clip-vit-b-32', name='LAION-2B CLIP ViT-B/32',
                                             license='MIT', languages=['en']),
}


def source_info(model_name: str, pretrained: Optional[str]) -> Optional[SourceInfo]:
    if model_name in KNOWN_SOURCES:
        return KNOWN_SOURCES[model_name]
    if pretrained:
        from pathlib import Path

        for key in (f'{model_name}:{pretrained}', f'{model_name}:{Path(pretrained).name}'):
            if key in KNOWN_SOURCES:
                return KNOWN_SOURCES[key]
    return None
