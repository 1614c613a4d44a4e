"""Offline machine translation of the deduplicated English captions with Apertium, English -> Catalan
-> es/pt/it/fr, one call per language pair on whole files, with fix tables; writes translations.<lang>.tsv."""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import APERTIUM_LANGS, BUILD_DIR, DATA_OUT, data_dir, open_data  # noqa: E402

# Apertium mode names (see `apertium -l`).
MODES = {"ca": "eng-cat", "es": "cat-spa", "pt": "cat-por", "it": "cat-ita", "fr": "cat-fra"}

# English rewrites applied only to the MT input: words Apertium's eng-cat does not know or
# constructions it systematically mistranslates, replaced by plain synonyms it handles.
EN_PRE = [
    (r"\bcroplands?\b", "farmland"), (r"\bCropland\b", "Farmland"),
    (r"\boverpasses\b", "elevated roads"), (r"\boverpass\b", "elevated road"),
    (r"\bOverpass\b", "Elevated road"), (r"\bOverpasses\b", "Elevated roads"),
    (r"\bfreeways\b", "highways"), (r"\bfreeway\b", "highway"), (r"\bFreeway", "Highway"),
    (r"\bturfs\b", "lawns"), (r"\bturf\b", "lawn"),
    (r"\bverdant\b", "green"), (r"\blush\b", "green"), (r"\bwilted\b", "dry"),
    (r"\broadside\b", "side of the road"), (r"\bmultilevel\b", "elevated"),
    (r"\bdispersedly\b", "sparsely"), (r"\bscatteredly\b", "sparsely"),
    (r"\btriangularly\b", "in a triangle"), (r"\bturbid\b", "muddy"),
    (r"\bT-junction\b", "junction"), (r"\bJust buildings here\b", "Only buildings here"),
    (r"\bseen from space\b", "seen from the space"),
    (r"\bstopped at\b", "parked at"),
    (r"\bmanicured\b", "well-kept"), (r"\bsky blue\b", "light blue"),
    (r"\b(overpass|road|river|freeway|highway|railway|one) (go|cross)\b", r"\1 \2es"), (r"\bplanes\b", "airplanes"),
    (r"\bmedium residential area\b", "residential area of medium density"),
]

_CA_PLURAL_ADJ = {"petit": "petits", "mateix": "iguals", "blanc": "blancs", "rodó": "rodons",
                  "negre": "negres", "diferent": "diferents", "gran": "grans", "gris": "grisos"}


def _ca_tanks(m: re.Match) -> str:
    """"Two small storage tanks" comes out as "Dos emmagatzematge petit els tancs"."""
    adj = _CA_PLURAL_ADJ.get(m.group(2), m.group(2))
    return f"{m.group(1)} tancs d'emmagatzematge {adj}"


# Catalan fixes, applied once before cat->X so each fix reaches four languages.
# Fixes that must see Apertium's marks ("#" = lemma it could not generate, "*" = unknown word).
CA_MARKED_FIX = [(r"#construir", "edifici"), (r"\*taxiing\b", "rodant")]

CA_FIX = [
    (r"\b([Uu]n|[Ee]l|d'un|del|al|[Ll]'|un altre) ?forestal\b", r"\1 bosc"),
    (r"\bl' bosc\b", "el bosc"), (r"\bL' bosc\b", "El bosc"),
    (r"\bforestals\b(?! )", "boscos"),
    (r"\btalls de tennis\b", "pistes de tennis"), (r"\btall de tennis\b", "pista de tennis"),
    (r"\btennis corteja\b", "pistes de tennis"),
    (r"\b([Dd])os pistes\b", r"\1ues pistes"), (r"\b([Uu])n pista\b", r"\1na pista"),
    (r"\bcurs de golf\b", "camp de golf"), (r"\bcursos de golf\b", "camps de golf"),
    (r"\bla casa mòbil aparca\b", "el parc de cases mòbils"),
    (r"\bcasa mòbil aparca\b", "parc de cases mòbils"),
    (r"\bcarros\b", "cotxes"), (r"\bcarro\b", "cotxe"),
    (r"\bdes d'espai\b", "des de l'espai"), (r"\bde l'espai\b", "de l'espai"),
    (r"\bimatge duta\b", "imatge presa"), (r"\bImatgeria\b", "Imatges"), (r"\bimatgeria\b", "imatges"),
    (r"\briu de bobinatge\b", "riu sinuós"),
    (r"\bpedaç de coberta de la terra\b", "mostra de coberta del sòl"),
    (r"^Edificis únics aquí", "Només edificis aquí"),
    (r"\bés rodant\b", "està rodant"), (r"\bsón rodant\b", "estan rodant"),
    (r"\bel terra són\b", "el terra és"), (r"\bel terra és foscos\b", "el terra és fosc"),
    (r"imatgedesatèl·lit", "imatge de satèl·lit"), (r"\s+([.,])", r"\1"),
    (r"\ben u amuntega\b", "en una riba"), (r"\bambdós bancs\b", "ambdues ribes"),
    (r"\bbancs del riu\b", "ribes del riu"), (r"\bbanc del riu\b", "riba del riu"),
    (r"\bque aparca parcel·la\b", "d'aparcament"),
    (r"\b([Ll])a parcel·la d'aparcament\b", r"\1'aparcament"),
    (r"\b([Uu])na parcel·la d'aparcament\b", r"\1n aparcament"), (r"\bparcel·la d'aparcament\b", "aparcament"),
    (r"\bparcel·les d'aparcament\b", "aparcaments"), (r"\baparca parcel·la\b", "aparcament"),
    (r"\b([Uu]n|[Ee]l) (triangular|blanc|gran|petit|alt|circular|rectangular) construir\b", r"\1 edifici \2"),
    (r"\b(\w+) emmagatzematge (\w+) els tancs\b", _ca_tanks), (r"\bvila\b", "vil·la"),
    (r"\bdiamant\b", "camp"), (r"\bdiamants\b", "camps"),
    (r"\btennis corteja\b", "pistes de tennis"), (r"\bdensitat de medi\b", "densitat mitjana"),
    (r"^Aquí és\b", "Aquí hi ha"), (r"\bdes de sobre\b", "des de dalt"), (r"\barranja(t|ts|da|des)\b", r"disposa\1"),
    (r"\b[Uu]n Sentinel-2 imatge\b", "Una imatge Sentinel-2"),
    (r"\ba 10 m resolució\b", "amb una resolució de 10 m"),
    (r"\b[Uu]n remot notant imatge\b", "Una imatge de teledetecció"),
    (r"\bremotament notada\b", "de teledetecció"), (r"\bde color cert\b", "en color real"),
    (r"\b[Uu]n pedaç de Sentinel-2 imatges\b", "Un fragment d'imatge Sentinel-2"),
    (r"\b(imatge|vista|fotografia) elevada\b", r"\1 zenital"),
    (r"\bdes d'òrbita\b", "des de l'òrbita"), (r"\bDes de sobre\b", "Des de dalt"),
    (r"\b[Uu]n Copèrnic Sentinel-2 imatge\b", "Una imatge Copernicus Sentinel-2"),
    (r"\bmostra de coberta de la terra\b", "mostra de cobertura del sòl"),
    (r"\bàrea poblada\b", "àrea boscosa"), (r"\bpasturant terra\b", "terra de pastura"),
    (r"\bd'una horta\b", "d'una plantació d'arbres fruiters"),
    (r"\bd'hortes\b", "de plantacions d'arbres fruiters"), (r"\bhortes\b", "plantacions d'arbres fruiters"),
    (r"\bun doll\b", "un rierol"), (r"\bels seus bancs\b", "les seves ribes"),
    (r"\bun serpejant riu\b", "un riu sinuós"), (r"\bun ens d'aigua\b", "una massa d'aigua"),
    (r"\bvist\b", "observat"), (r"\bvistos\b", "observats"),
    (r"(?<![Uu]na )\bvista des de\b", "observada des de"),
    (r"\bés (aparcat|aturat|parat)\b", r"està \1"), (r"\bsón (aparcats|aturats|parats)\b", r"estan \1"),
    (r"\bés (en|a)\b", r"està \1"), (r"\bsón (en|a)\b", r"estan \1"),
    (r"\bpremut junt\b|\b(?:va|van) prémer junt(?:e?s)?\b|\bpremudes juntes\b", "molt a prop els uns dels altres"),
]

# Finite verbs Apertium emits for English participles ("houses arranged neatly" -> "cases van
# arranjar"): rewritten as participles agreeing with the nearest preceding known noun.
_CA_PARTICIPLES = {"arranjar": "disposat", "aparcar": "aparcat", "parar": "aturat",
                   "veure": "vist", "col·locar": "col·locat", "alinear": "alineat"}
_CA_FEM = {"cases", "casa", "pistes", "pista", "plantes", "planta", "carreteres", "carretera",
           "línies", "fileres", "piscines", "vil·les", "barques", "caravanes", "naus"}
_CA_MASC = {"avions", "avió", "cotxes", "cotxe", "edificis", "edifici", "tancs", "tanc", "arbres",
            "arbre", "vaixells", "vaixell", "magatzems", "fàbriques", "camps", "camp", "habitatges"}


def _ca_participle(line: str) -> str:
    def repl(m: re.Match) -> str:
        plural = m.group(1) == "van"
        verb = m.group(2)
        before = re.findall(r"[\w·']+", line[: m.start()].lower())
        fem = False
        for w in reversed(before[-6:]):
            if w in _CA_FEM or w in _CA_MASC:
                fem = w in _CA_FEM
                plural = plural or w.endswith("s")
                break
        if verb == "veure":
            return {(False, False): "vist", (False, True): "vistos", (True, False): "vista",
                    (True, True): "vistes"}[(fem, plural)]
        base = _CA_PARTICIPLES[verb][:-1]  # "arranja" from "arranjat"
        return base + {(False, False): "t", (False, True): "ts", (True, False): "da",
                       (True, True): "des"}[(fem, plural)]
    return re.sub(r"\b(va|van) (arranjar|aparcar|parar|veure|col·locar|alinear)\b", repl, line)


# Fixes per target language, found by reading a sample of each output.
LANG_FIX: dict[str, list[tuple[str, object]]] = {
    "es": [(r"\bjunto a\.$", "al lado."), (r"\btechos\b", "tejados"), (r"\btecho\b", "tejado"), (r"\buna área\b", "un área"),
           (r"\bUna área\b", "Un área"), (r"\bresidencial escasa\b", "residencial dispersa"),
           (r"\bdensidad mediana\b", "densidad media")],
    "pt": [(r"\bdesde acima\b", "de cima"), (r"\bdesde o\b", "do"), (r"\bdesde um\b", "de um"),
           (r"\bdesde a\b", "da"), (r"\bdesde uma\b", "de uma"), (r"\bteledetecció\b", "deteção remota"), (r"\bboscosa\b", "arborizada"),
           (r"\borlas\b", "margens"), (r"\bao lado de\.$", "ao lado."), (r"\bcarreteiras\b", "estradas"), (r"\bcarreteira\b", "estrada"), (r"\bgris\b", "cinza"),
           (r"\btetos\b", "telhados"), (r"\bteto\b", "telhado"), (r"\bbúnquers\b", "bunkers"),
           (r"\bresidencial escassa\b", "residencial esparsa")],
    "it": [(r"\bda sopra\b", "dall'alto"), (r"\bvedut([aeio])\b", r"vist\1"),
           (r"\bimmagine di satellite\b", "immagine satellitare"),
           (r"\bimmagini di satellite\b", "immagini satellitari"), (r"^Una campione\b", "Un campione"),
           (r"\bzenital\b", "zenitale"), (r"\bteledetecció\b", "telerilevamento"),
           (r"\bdimostrazione di copertura\b", "campione di copertura"), (r"\baccanto a\.$", "accanto."), (r"\bsposi\b", "case"), (r"\bd'immagazzinamento\b", "di stoccaggio"),
           (r"\bsoffitti\b", "tetti"), (r"\bsoffitto\b", "tetto"),
           (r"\bcarri armati\b", "serbatoi"), (r"\bcarro armato\b", "serbatoio"),
           (r"\bresidenziale scarsa\b", "residenziale sparsa")],
    "fr": [(r"\bdepuis dessus\b", "d'en haut"), (r"^Terra de culture\b", "Terre de culture"),
           (r"\bvégétation descend\b", "végétation basse"), (r"\bstationnales\b", "saisonnières"),
           (r"\bimage de satellite\b", "image satellite"), (r"\bimages de satellite\b", "images satellite"),
           (r"\bmagasins\b", "entrepôts"), (r"\bMagasins\b", "Entrepôts"), (r"\brivages\b", "rives"), (r"\bà côté de\.$", "à côté."), (r"\btanks de stockage\b", "réservoirs de stockage"),
           (r"\btank de stockage\b", "réservoir de stockage"), (r"\bplafonds\b", "toits"),
           (r"\bplafond\b", "toit"), (r"\bl'aire\b", "la zone"), (r"\bl'zone\b", "la zone"),
           (r"\baire(s?) résidentielle", r"zone\1 résidentielle"), (r"\bcette aire\b", "cette zone"),
           (r"\bune aire\b", "une zone"), (r"\brésidentielle rare\b", "résidentielle peu dense")],
}

_MARKS = re.compile(r"(?<![\w])[*#@]+")


def strip_marks(line: str) -> str:
    return re.sub(r"\s+", " ", _MARKS.sub("", line)).strip()


def pre_edit(en: str) -> str:
    for pat, rep in EN_PRE:
        en = re.sub(pat, rep, en)
    return en


def fix_ca(line: str) -> str:
    for pat, rep in CA_MARKED_FIX:
        line = re.sub(pat, rep, line)
    line = strip_marks(line)
    for pat, rep in CA_FIX:
        line = re.sub(pat, rep, line)
    return _ca_participle(line)


def fix_lang(lang: str, line: str) -> str:
    for pat, rep in LANG_FIX[lang]:
        line = re.sub(pat, rep, line)
    line = re.sub(r"\s+([.,])", r"\1", line)
    return line[:1].upper() + line[1:]


def apertium(mode: str, lines: list[str]) -> list[str]:
    """Translate many sentences in ONE apertium call, one sentence per line; guard the count."""
    if shutil.which("apertium") is None:
        raise SystemExit("apertium not found: apt-get install -y apertium apertium-eng-cat "
                         "apertium-spa-cat apertium-por-cat apertium-cat-ita apertium-fra-cat")
    for i, line in enumerate(lines):
        if "\n" in line or not line.strip():
            raise ValueError(f"line {i} is empty or holds a newline: {line!r}")
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as f:
        f.write("\n".join(lines) + "\n")
        src = f.name
    try:
        proc = subprocess.run(["apertium", mode, src], capture_output=True, text=True, check=False)
    finally:
        Path(src).unlink(missing_ok=True)
    if proc.returncode != 0:
        raise RuntimeError(f"apertium {mode} failed ({proc.returncode}): {proc.stderr[:500]}")
    return split_output(proc.stdout, len(lines), mode)


def split_output(stdout: str, expected: int, mode: str) -> list[str]:
    """One output line per input line, or an error: a lost or merged line would misalign every
    later translation with its English source."""
    out = stdout.split("\n")
    if out and out[-1] == "":
        out = out[:-1]
    if len(out) != expected:
        raise RuntimeError(f"apertium {mode} returned {len(out)} lines for {expected} input lines; "
                           "translations would be misaligned")
    return out


def translate_all(sentences: list[str], langs: list[str]) -> dict[str, list[str]]:
    ca_raw = apertium(MODES["ca"], [pre_edit(s) for s in sentences])
    ca = [strip_marks(fix_ca(line)) for line in ca_raw]
    out = {"ca": ca}
    for lang in langs:
        raw = apertium(MODES[lang], ca)
        out[lang] = [fix_lang(lang, strip_marks(line)) for line in raw]
    return out


def extra_caption_text() -> list[str]:
    """Unique sentences of the text-only caption sets (RSICD, RSITMD, Sydney), for the tokenizer."""
    import ast
    import csv
    from train_tokenizer import EXTRA_CAPTIONS
    seen: dict[str, None] = {}
    for rel in EXTRA_CAPTIONS:
        with open_data(rel) as f:
            for row in csv.DictReader(f):
                for s in ast.literal_eval(row["sentence"]):
                    s = " ".join(s.split()).rstrip(" .")
                    if s:
                        seen.setdefault(s[:1].upper() + s[1:] + ".")
    return list(seen)


def translate_extra(langs: list[str]) -> None:
    """Tokenizer-only text: the extra caption sets in es/pt/it/fr, kept in build/ (too big to commit)."""
    sentences = extra_caption_text()
    print(f"{len(sentences)} unique extra sentences")
    result = translate_all(sentences, langs)
    BUILD_DIR.mkdir(parents=True, exist_ok=True)
    for lang in langs:
        (BUILD_DIR / f"extra_mt.{lang}.txt").write_text("\n".join(result[lang]) + "\n", encoding="utf-8")


def main() -> None:
    import build_captions
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--langs", nargs="*", default=APERTIUM_LANGS)
    ap.add_argument("--extra", action="store_true",
                    help="also translate RSICD/RSITMD/Sydney caption text for the tokenizer (~10 min)")
    args = ap.parse_args()
    t0 = time.time()
    if args.extra:
        translate_extra(args.langs)
        print(f"translate --extra: {time.time() - t0:.1f} s")
        return
    plan, _ = build_captions.ucm_split_plan(data_dir())
    sentences = build_captions.english_sentences(plan)
    print(f"{len(sentences)} unique English sentences")
    result = translate_all(sentences, args.langs)
    DATA_OUT.mkdir(parents=True, exist_ok=True)
    for lang in ["ca", *args.langs]:
        # Catalan is only the pivot: kept out of the committed data, for inspection only.
        path = (BUILD_DIR if lang == "ca" else DATA_OUT) / f"translations.{lang}.tsv"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            for en, tr in zip(sentences, result[lang], strict=True):
                f.write(f"{en}\t{tr}\n")
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    print(f"translate: {time.time() - t0:.1f} s")


if __name__ == "__main__":
    main()
