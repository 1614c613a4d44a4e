"""Hand-written, reviewed multilingual glossary: class names for zero-shot tables, caption forms and
templates for the languages without an offline translator (de, nl, zh, ko, ru), land-cover terms."""
from __future__ import annotations

import re

UCM_CLASSES = [
    "agricultural", "airplane", "baseballdiamond", "beach", "buildings", "chaparral",
    "denseresidential", "forest", "freeway", "golfcourse", "harbor", "intersection",
    "mediumresidential", "mobilehomepark", "overpass", "parkinglot", "river", "runway",
    "sparseresidential", "storagetanks", "tenniscourt",
]
EUROSAT_CLASSES = [
    "AnnualCrop", "Forest", "HerbaceousVegetation", "Highway", "Industrial", "Pasture",
    "PermanentCrop", "Residential", "River", "SeaLake",
]
# RSSCN7 is evaluation-only: its NAMES are listed for zero-shot prompts, its images are never read.
RSSCN7_CLASSES = ["grass", "field", "industry", "river_lake", "forest", "residential", "parking"]

# ---------------------------------------------------------------------------------------------
# Zero-shot class-name tables, one short noun phrase per class and language (no article, so a
# prompt template can wrap it). Written by hand for all ten languages.
# ---------------------------------------------------------------------------------------------
_UCM_NAMES = {
    "en": ["agricultural land", "airplane", "baseball diamond", "beach", "buildings", "chaparral",
           "dense residential area", "forest", "freeway", "golf course", "harbor", "intersection",
           "medium residential area", "mobile home park", "overpass", "parking lot", "river",
           "runway", "sparse residential area", "storage tanks", "tennis court"],
    "es": ["tierras agrícolas", "avión", "campo de béisbol", "playa", "edificios", "chaparral",
           "zona residencial densa", "bosque", "autopista", "campo de golf", "puerto", "intersección",
           "zona residencial de densidad media", "parque de casas móviles", "paso elevado",
           "aparcamiento", "río", "pista de aterrizaje", "zona residencial dispersa",
           "tanques de almacenamiento", "pista de tenis"],
    "pt": ["terras agrícolas", "avião", "campo de beisebol", "praia", "edifícios", "chaparral",
           "zona residencial densa", "floresta", "autoestrada", "campo de golfe", "porto", "cruzamento",
           "zona residencial de densidade média", "parque de casas móveis", "viaduto",
           "estacionamento", "rio", "pista de aeroporto", "zona residencial esparsa",
           "tanques de armazenamento", "campo de ténis"],
    "fr": ["terres agricoles", "avion", "terrain de baseball", "plage", "bâtiments", "chaparral",
           "zone résidentielle dense", "forêt", "autoroute", "terrain de golf", "port", "carrefour",
           "zone résidentielle de densité moyenne", "parc de maisons mobiles", "passage supérieur",
           "parking", "rivière", "piste d'atterrissage", "zone résidentielle peu dense",
           "réservoirs de stockage", "court de tennis"],
    "it": ["terreni agricoli", "aereo", "campo da baseball", "spiaggia", "edifici", "chaparral",
           "zona residenziale densa", "foresta", "autostrada", "campo da golf", "porto", "incrocio",
           "zona residenziale a media densità", "parco di case mobili", "cavalcavia", "parcheggio",
           "fiume", "pista di atterraggio", "zona residenziale sparsa", "serbatoi di stoccaggio",
           "campo da tennis"],
}
_EUROSAT_NAMES = {
    "en": ["annual crop land", "forest", "herbaceous vegetation", "highway or road",
           "industrial buildings", "pasture land", "permanent crop land", "residential buildings",
           "river", "sea or lake"],
    "es": ["cultivos anuales", "bosque", "vegetación herbácea", "autopista o carretera",
           "edificios industriales", "pastizales", "cultivos permanentes", "edificios residenciales",
           "río", "mar o lago"],
    "pt": ["culturas anuais", "floresta", "vegetação herbácea", "autoestrada ou estrada",
           "edifícios industriais", "pastagens", "culturas permanentes", "edifícios residenciais",
           "rio", "mar ou lago"],
    "fr": ["cultures annuelles", "forêt", "végétation herbacée", "autoroute ou route",
           "bâtiments industriels", "pâturages", "cultures permanentes", "bâtiments résidentiels",
           "rivière", "mer ou lac"],
    "it": ["colture annuali", "foresta", "vegetazione erbacea", "autostrada o strada",
           "edifici industriali", "pascoli", "colture permanenti", "edifici residenziali",
           "fiume", "mare o lago"],
    "de": ["einjährige Ackerkulturen", "Wald", "krautige Vegetation", "Autobahn oder Straße",
           "Industriegebäude", "Weideland", "Dauerkulturen", "Wohngebäude", "Fluss", "Meer oder See"],
    "nl": ["eenjarige akkerbouwgewassen", "bos", "kruidachtige begroeiing", "snelweg of weg",
           "industriegebouwen", "weiland", "meerjarige teelten", "woongebouwen", "rivier",
           "zee of meer"],
    "zh": ["一年生作物农田", "森林", "草本植被", "公路", "工业建筑", "牧场", "多年生作物", "住宅建筑",
           "河流", "海洋或湖泊"],
    "ko": ["일년생 작물 경작지", "숲", "초본 식생", "고속도로 또는 도로", "산업 건물", "목초지",
           "다년생 작물 재배지", "주거용 건물", "강", "바다 또는 호수"],
    "ru": ["однолетние посевы", "лес", "травянистая растительность", "шоссе или дорога",
           "промышленные здания", "пастбище", "многолетние насаждения", "жилые здания", "река",
           "море или озеро"],
}
_RSSCN7_NAMES = {
    "en": ["grassland", "farm field", "industrial area", "river or lake", "forest",
           "residential area", "parking lot"],
    "es": ["pradera", "campo de cultivo", "zona industrial", "río o lago", "bosque",
           "zona residencial", "aparcamiento"],
    "pt": ["prado", "campo agrícola", "zona industrial", "rio ou lago", "floresta",
           "zona residencial", "estacionamento"],
    "fr": ["prairie", "champ cultivé", "zone industrielle", "rivière ou lac", "forêt",
           "zone résidentielle", "parking"],
    "it": ["prateria", "campo coltivato", "zona industriale", "fiume o lago", "foresta",
           "zona residenziale", "parcheggio"],
    "de": ["Grasland", "Acker", "Industriegebiet", "Fluss oder See", "Wald", "Wohngebiet",
           "Parkplatz"],
    "nl": ["grasland", "akker", "industrieterrein", "rivier of meer", "bos", "woonwijk",
           "parkeerplaats"],
    "zh": ["草地", "农田", "工业区", "河流或湖泊", "森林", "住宅区", "停车场"],
    "ko": ["초원", "농경지", "산업 지역", "강 또는 호수", "숲", "주거 지역", "주차장"],
    "ru": ["луг", "поле", "промышленная зона", "река или озеро", "лес", "жилой район",
           "парковка"],
}

# ---------------------------------------------------------------------------------------------
# Caption forms for de, nl, zh, ko, ru. Every class of UC Merced and EuroSAT has the forms its
# language's templates need, so templates never have to guess gender, case or measure words:
#   de: nom / acc / dat noun phrase with its article, "pl" when the verb must be plural
#   nl: x (noun phrase with "een" or none), "pl" for plural verbs
#   ru: nom / gen / acc / ins
#   zh: n (bare noun) / m (numeral + measure word + noun)
#   ko: n (bare noun); particles are chosen from the final syllable by `josa`
# ---------------------------------------------------------------------------------------------
def _de(nom, acc, dat, pl=False):
    return {"nom": nom, "acc": acc, "dat": dat, "pl": pl}


def _ru(nom, gen, acc, ins):
    return {"nom": nom, "gen": gen, "acc": acc, "ins": ins}


FORMS: dict[str, dict[str, dict]] = {
    "de": {
        "agricultural": _de("Ackerland", "Ackerland", "Ackerland"),
        "airplane": _de("ein Flugzeug", "ein Flugzeug", "einem Flugzeug"),
        "baseballdiamond": _de("ein Baseballfeld", "ein Baseballfeld", "einem Baseballfeld"),
        "beach": _de("ein Strand", "einen Strand", "einem Strand"),
        "buildings": _de("mehrere Gebäude", "mehrere Gebäude", "mehreren Gebäuden", True),
        "chaparral": _de("Buschland", "Buschland", "Buschland"),
        "denseresidential": _de("ein dicht bebautes Wohngebiet", "ein dicht bebautes Wohngebiet",
                                "einem dicht bebauten Wohngebiet"),
        "forest": _de("ein Wald", "einen Wald", "einem Wald"),
        "freeway": _de("eine Autobahn", "eine Autobahn", "einer Autobahn"),
        "golfcourse": _de("ein Golfplatz", "einen Golfplatz", "einem Golfplatz"),
        "harbor": _de("ein Hafen", "einen Hafen", "einem Hafen"),
        "intersection": _de("eine Kreuzung", "eine Kreuzung", "einer Kreuzung"),
        "mediumresidential": _de("ein Wohngebiet mittlerer Dichte", "ein Wohngebiet mittlerer Dichte",
                                 "einem Wohngebiet mittlerer Dichte"),
        "mobilehomepark": _de("ein Mobilheimpark", "einen Mobilheimpark", "einem Mobilheimpark"),
        "overpass": _de("eine Überführung", "eine Überführung", "einer Überführung"),
        "parkinglot": _de("ein Parkplatz", "einen Parkplatz", "einem Parkplatz"),
        "river": _de("ein Fluss", "einen Fluss", "einem Fluss"),
        "runway": _de("eine Start- und Landebahn", "eine Start- und Landebahn",
                      "einer Start- und Landebahn"),
        "sparseresidential": _de("ein locker bebautes Wohngebiet", "ein locker bebautes Wohngebiet",
                                 "einem locker bebauten Wohngebiet"),
        "storagetanks": _de("mehrere Lagertanks", "mehrere Lagertanks", "mehreren Lagertanks", True),
        "tenniscourt": _de("ein Tennisplatz", "einen Tennisplatz", "einem Tennisplatz"),
        "AnnualCrop": _de("einjährige Ackerkulturen", "einjährige Ackerkulturen",
                          "einjährigen Ackerkulturen", True),
        "Forest": _de("ein Wald", "einen Wald", "einem Wald"),
        "HerbaceousVegetation": _de("krautige Vegetation", "krautige Vegetation",
                                    "krautiger Vegetation"),
        "Highway": _de("eine Schnellstraße", "eine Schnellstraße", "einer Schnellstraße"),
        "Industrial": _de("ein Industriegebiet", "ein Industriegebiet", "einem Industriegebiet"),
        "Pasture": _de("Weideland", "Weideland", "Weideland"),
        "PermanentCrop": _de("Dauerkulturen", "Dauerkulturen", "Dauerkulturen", True),
        "Residential": _de("ein Wohngebiet", "ein Wohngebiet", "einem Wohngebiet"),
        "River": _de("ein Fluss", "einen Fluss", "einem Fluss"),
        "SeaLake": _de("ein Gewässer", "ein Gewässer", "einem Gewässer"),
    },
    "nl": {
        "agricultural": {"x": "landbouwgrond"},
        "airplane": {"x": "een vliegtuig"},
        "baseballdiamond": {"x": "een honkbalveld"},
        "beach": {"x": "een strand"},
        "buildings": {"x": "gebouwen", "pl": True},
        "chaparral": {"x": "struikgewas"},
        "denseresidential": {"x": "een dichtbebouwde woonwijk"},
        "forest": {"x": "een bos"},
        "freeway": {"x": "een snelweg"},
        "golfcourse": {"x": "een golfbaan"},
        "harbor": {"x": "een haven"},
        "intersection": {"x": "een kruispunt"},
        "mediumresidential": {"x": "een woonwijk met middelhoge dichtheid"},
        "mobilehomepark": {"x": "een stacaravanpark"},
        "overpass": {"x": "een viaduct"},
        "parkinglot": {"x": "een parkeerplaats"},
        "river": {"x": "een rivier"},
        "runway": {"x": "een landingsbaan"},
        "sparseresidential": {"x": "een woonwijk met verspreide bebouwing"},
        "storagetanks": {"x": "opslagtanks", "pl": True},
        "tenniscourt": {"x": "een tennisbaan"},
        "AnnualCrop": {"x": "eenjarige akkerbouwgewassen", "pl": True},
        "Forest": {"x": "een bos"},
        "HerbaceousVegetation": {"x": "kruidachtige begroeiing"},
        "Highway": {"x": "een autoweg"},
        "Industrial": {"x": "een industrieterrein"},
        "Pasture": {"x": "weiland"},
        "PermanentCrop": {"x": "meerjarige teelten", "pl": True},
        "Residential": {"x": "een woonwijk"},
        "River": {"x": "een rivier"},
        "SeaLake": {"x": "open water"},
    },
    "ru": {
        "agricultural": _ru("сельскохозяйственные угодья", "сельскохозяйственных угодий",
                            "сельскохозяйственные угодья", "сельскохозяйственными угодьями"),
        "airplane": _ru("самолёт", "самолёта", "самолёт", "самолётом"),
        "baseballdiamond": _ru("бейсбольное поле", "бейсбольного поля", "бейсбольное поле",
                               "бейсбольным полем"),
        "beach": _ru("пляж", "пляжа", "пляж", "пляжем"),
        "buildings": _ru("здания", "зданий", "здания", "зданиями"),
        "chaparral": _ru("заросли кустарника", "зарослей кустарника", "заросли кустарника",
                         "зарослями кустарника"),
        "denseresidential": _ru("плотная жилая застройка", "плотной жилой застройки",
                                "плотную жилую застройку", "плотной жилой застройкой"),
        "forest": _ru("лес", "леса", "лес", "лесом"),
        "freeway": _ru("автомагистраль", "автомагистрали", "автомагистраль", "автомагистралью"),
        "golfcourse": _ru("поле для гольфа", "поля для гольфа", "поле для гольфа",
                          "полем для гольфа"),
        "harbor": _ru("гавань", "гавани", "гавань", "гаванью"),
        "intersection": _ru("перекрёсток", "перекрёстка", "перекрёсток", "перекрёстком"),
        "mediumresidential": _ru("жилая застройка средней плотности",
                                 "жилой застройки средней плотности",
                                 "жилую застройку средней плотности",
                                 "жилой застройкой средней плотности"),
        "mobilehomepark": _ru("парк передвижных домов", "парка передвижных домов",
                              "парк передвижных домов", "парком передвижных домов"),
        "overpass": _ru("путепровод", "путепровода", "путепровод", "путепроводом"),
        "parkinglot": _ru("парковка", "парковки", "парковку", "парковкой"),
        "river": _ru("река", "реки", "реку", "рекой"),
        "runway": _ru("взлётно-посадочная полоса", "взлётно-посадочной полосы",
                      "взлётно-посадочную полосу", "взлётно-посадочной полосой"),
        "sparseresidential": _ru("редкая жилая застройка", "редкой жилой застройки",
                                 "редкую жилую застройку", "редкой жилой застройкой"),
        "storagetanks": _ru("резервуары для хранения", "резервуаров для хранения",
                            "резервуары для хранения", "резервуарами для хранения"),
        "tenniscourt": _ru("теннисный корт", "теннисного корта", "теннисный корт",
                           "теннисным кортом"),
        "AnnualCrop": _ru("однолетние посевы", "однолетних посевов", "однолетние посевы",
                          "однолетними посевами"),
        "Forest": _ru("лес", "леса", "лес", "лесом"),
        "HerbaceousVegetation": _ru("травянистая растительность", "травянистой растительности",
                                    "травянистую растительность", "травянистой растительностью"),
        "Highway": _ru("шоссе", "шоссе", "шоссе", "шоссе"),
        "Industrial": _ru("промышленная зона", "промышленной зоны", "промышленную зону",
                          "промышленной зоной"),
        "Pasture": _ru("пастбище", "пастбища", "пастбище", "пастбищем"),
        "PermanentCrop": _ru("многолетние насаждения", "многолетних насаждений",
                             "многолетние насаждения", "многолетними насаждениями"),
        "Residential": _ru("жилой район", "жилого района", "жилой район", "жилым районом"),
        "River": _ru("река", "реки", "реку", "рекой"),
        "SeaLake": _ru("водоём", "водоёма", "водоём", "водоёмом"),
    },
    "zh": {
        "agricultural": {"n": "农田", "m": "一片农田"},
        "airplane": {"n": "飞机", "m": "一架飞机"},
        "baseballdiamond": {"n": "棒球场", "m": "一个棒球场"},
        "beach": {"n": "海滩", "m": "一片海滩"},
        "buildings": {"n": "建筑物", "m": "一些建筑物"},
        "chaparral": {"n": "灌木丛", "m": "一片灌木丛"},
        "denseresidential": {"n": "密集住宅区", "m": "一片密集住宅区"},
        "forest": {"n": "森林", "m": "一片森林"},
        "freeway": {"n": "高速公路", "m": "一条高速公路"},
        "golfcourse": {"n": "高尔夫球场", "m": "一座高尔夫球场"},
        "harbor": {"n": "港口", "m": "一个港口"},
        "intersection": {"n": "十字路口", "m": "一个十字路口"},
        "mediumresidential": {"n": "中密度住宅区", "m": "一片中密度住宅区"},
        "mobilehomepark": {"n": "移动房屋社区", "m": "一个移动房屋社区"},
        "overpass": {"n": "立交桥", "m": "一座立交桥"},
        "parkinglot": {"n": "停车场", "m": "一个停车场"},
        "river": {"n": "河流", "m": "一条河流"},
        "runway": {"n": "跑道", "m": "一条跑道"},
        "sparseresidential": {"n": "稀疏住宅区", "m": "一片稀疏住宅区"},
        "storagetanks": {"n": "储罐", "m": "一些储罐"},
        "tenniscourt": {"n": "网球场", "m": "一个网球场"},
        "AnnualCrop": {"n": "一年生作物农田", "m": "一片一年生作物农田"},
        "Forest": {"n": "森林", "m": "一片森林"},
        "HerbaceousVegetation": {"n": "草本植被", "m": "一片草本植被"},
        "Highway": {"n": "公路", "m": "一条公路"},
        "Industrial": {"n": "工业区", "m": "一片工业区"},
        "Pasture": {"n": "牧场", "m": "一片牧场"},
        "PermanentCrop": {"n": "多年生作物种植园", "m": "一片多年生作物种植园"},
        "Residential": {"n": "住宅区", "m": "一片住宅区"},
        "River": {"n": "河流", "m": "一条河流"},
        "SeaLake": {"n": "水域", "m": "一片水域"},
    },
    "ko": {
        "agricultural": {"n": "농경지"},
        "airplane": {"n": "비행기"},
        "baseballdiamond": {"n": "야구장"},
        "beach": {"n": "해변"},
        "buildings": {"n": "건물들"},
        "chaparral": {"n": "관목 지대"},
        "denseresidential": {"n": "고밀도 주거 지역"},
        "forest": {"n": "숲"},
        "freeway": {"n": "고속도로"},
        "golfcourse": {"n": "골프장"},
        "harbor": {"n": "항구"},
        "intersection": {"n": "교차로"},
        "mediumresidential": {"n": "중밀도 주거 지역"},
        "mobilehomepark": {"n": "이동식 주택 단지"},
        "overpass": {"n": "고가도로"},
        "parkinglot": {"n": "주차장"},
        "river": {"n": "강"},
        "runway": {"n": "활주로"},
        "sparseresidential": {"n": "저밀도 주거 지역"},
        "storagetanks": {"n": "저장 탱크"},
        "tenniscourt": {"n": "테니스장"},
        "AnnualCrop": {"n": "일년생 작물 경작지"},
        "Forest": {"n": "숲"},
        "HerbaceousVegetation": {"n": "초본 식생"},
        "Highway": {"n": "도로"},
        "Industrial": {"n": "산업 지역"},
        "Pasture": {"n": "목초지"},
        "PermanentCrop": {"n": "다년생 작물 재배지"},
        "Residential": {"n": "주거 지역"},
        "River": {"n": "강"},
        "SeaLake": {"n": "수역"},
    },
}

# Caption templates. Placeholders: de {nom} {acc} {dat} {Nom} {ist}; nl {x} {X} {is};
# ru {nom} {Nom} {gen} {acc} {ins}; zh {n} {m}; ko {n} plus particles {이/가} {을/를} {은/는}.
TEMPLATES: dict[str, list[str]] = {
    "de": [
        "Luftbild mit {dat}.",
        "Satellitenbild von {dat}.",
        "Auf dem Bild {ist} {nom} zu sehen.",
        "{Nom} aus der Vogelperspektive.",
        "Blick von oben auf {acc}.",
        "Eine Fernerkundungsaufnahme von {dat}.",
        "Hier sieht man {acc} von oben.",
        "Das Luftbild zeigt {acc}.",
        "Ein Satellitenfoto, auf dem {nom} zu sehen {ist}.",
        "{Nom} von oben gesehen.",
        "Eine Aufnahme aus der Luft mit {dat}.",
        "Draufsicht auf {acc}.",
        "Dieses Bild zeigt {acc} aus großer Höhe.",
        "Ein Orthofoto von {dat}.",
    ],
    "nl": [
        "Een luchtfoto van {x}.",
        "Satellietbeeld van {x}.",
        "Op deze foto {is} {x} te zien.",
        "{X} van bovenaf gezien.",
        "Een satellietopname met {x}.",
        "Luchtopname van {x}.",
        "Dit beeld toont {x}.",
        "Bovenaanzicht van {x}.",
        "Een aardobservatiebeeld van {x}.",
        "Hier zie je {x} vanuit de lucht.",
        "{X} in vogelvlucht.",
        "Een opname uit de ruimte van {x}.",
        "Een orthofoto met {x}.",
    ],
    "ru": [
        "Аэрофотоснимок: {nom}.",
        "Спутниковый снимок {gen}.",
        "На снимке — {nom}.",
        "Вид сверху на {acc}.",
        "{Nom} с высоты птичьего полёта.",
        "Участок местности с {ins}.",
        "Данные дистанционного зондирования: {nom}.",
        "Изображение {gen}, снятое со спутника.",
        "Аэрофотосъёмка {gen}.",
        "Космический снимок {gen}.",
        "Фотография {gen} сверху.",
        "Вид с воздуха на {acc}.",
        "Ортофотоплан с {ins}.",
    ],
    "zh": [
        "{n}的遥感图像。",
        "一张{n}的卫星图像。",
        "航拍图中有{m}。",
        "从空中俯瞰{n}。",
        "这张图片显示了{m}。",
        "高空拍摄的{n}。",
        "{n}的航拍照片。",
        "卫星视角下的{n}。",
        "图像中可以看到{m}。",
        "这是{m}的俯视图。",
        "遥感影像显示了{m}。",
        "一张包含{m}的航空影像。",
    ],
    "ko": [
        "{n}의 항공 사진.",
        "{n}{이/가} 보이는 위성 영상.",
        "위에서 내려다본 {n}.",
        "{n}{을/를} 촬영한 원격 탐사 영상.",
        "이 사진에는 {n}{이/가} 있다.",
        "하늘에서 본 {n}.",
        "{n}{을/를} 보여 주는 위성 사진.",
        "{n}의 위성 이미지.",
        "상공에서 촬영한 {n}의 모습.",
        "항공 사진 속 {n}.",
        "{n}{이/가} 찍힌 항공 영상.",
        "이것은 {n}의 원격 탐사 이미지이다.",
        "{n}{은/는} 위에서 보면 이렇게 보인다.",
    ],
}

# Zero-shot prompt templates for later evaluation (fixed a priori, never tuned on test data).
PROMPTS: dict[str, list[str]] = {
    "en": ["a satellite photo of {}.", "an aerial photo of {}.", "a remote sensing image of {}.",
           "a satellite image showing {}."],
    "es": ["una foto satelital de {}.", "una foto aérea de {}.", "una imagen de teledetección de {}.",
           "una imagen de satélite que muestra {}."],
    "pt": ["uma foto de satélite de {}.", "uma fotografia aérea de {}.",
           "uma imagem de deteção remota de {}.", "uma imagem de satélite que mostra {}."],
    "fr": ["une photo satellite de {}.", "une photo aérienne de {}.", "une image de télédétection de {}.",
           "une image satellite montrant {}."],
    "it": ["una foto satellitare di {}.", "una foto aerea di {}.", "un'immagine telerilevata di {}.",
           "un'immagine satellitare che mostra {}."],
    "de": ["ein Satellitenfoto: {}.", "ein Luftbild: {}.", "ein Fernerkundungsbild: {}.",
           "Satellitenaufnahme – {}."],
    "nl": ["een satellietfoto van {}.", "een luchtfoto van {}.", "een aardobservatiebeeld van {}.",
           "een satellietbeeld met {}."],
    "zh": ["{}的卫星照片。", "{}的航拍照片。", "{}的遥感图像。", "显示{}的卫星图像。"],
    "ko": ["{}의 위성 사진.", "{}의 항공 사진.", "{}의 원격 탐사 영상.", "위성 영상: {}."],
    "ru": ["спутниковый снимок: {}.", "аэрофотоснимок: {}.", "данные дистанционного зондирования: {}.",
           "снимок со спутника: {}."],
}

# Common land-cover terms (vocabulary coverage and a reference for prompt writers).
TERM_KEYS = ["water", "forest", "buildings", "roads", "field", "beach", "airport", "harbour",
             "bridge", "lake", "sea", "river", "grassland", "farmland", "desert", "mountain",
             "park", "parking lot", "railway", "stadium", "ship", "cars", "trees", "houses",
             "swimming pool", "bare soil", "meadow", "port", "church", "school"]
TERMS: dict[str, list[str]] = {
    "en": TERM_KEYS,
    "es": ["agua", "bosque", "edificios", "carreteras", "campo", "playa", "aeropuerto", "puerto",
           "puente", "lago", "mar", "río", "pradera", "tierras de cultivo", "desierto", "montaña",
           "parque", "aparcamiento", "vía férrea", "estadio", "barco", "coches", "árboles", "casas",
           "piscina", "suelo desnudo", "prado", "puerto marítimo", "iglesia", "escuela"],
    "pt": ["água", "floresta", "edifícios", "estradas", "campo", "praia", "aeroporto", "porto",
           "ponte", "lago", "mar", "rio", "pradaria", "terra agrícola", "deserto", "montanha",
           "parque", "estacionamento", "via férrea", "estádio", "navio", "carros", "árvores", "casas",
           "piscina", "solo nu", "prado", "porto marítimo", "igreja", "escola"],
    "fr": ["eau", "forêt", "bâtiments", "routes", "champ", "plage", "aéroport", "port",
           "pont", "lac", "mer", "rivière", "prairie", "terres agricoles", "désert", "montagne",
           "parc", "parking", "voie ferrée", "stade", "navire", "voitures", "arbres", "maisons",
           "piscine", "sol nu", "pré", "port maritime", "église", "école"],
    "it": ["acqua", "foresta", "edifici", "strade", "campo", "spiaggia", "aeroporto", "porto",
           "ponte", "lago", "mare", "fiume", "prateria", "terreno agricolo", "deserto", "montagna",
           "parco", "parcheggio", "ferrovia", "stadio", "nave", "automobili", "alberi", "case",
           "piscina", "suolo nudo", "prato", "porto marittimo", "chiesa", "scuola"],
    "de": ["Wasser", "Wald", "Gebäude", "Straßen", "Feld", "Strand", "Flughafen", "Hafen",
           "Brücke", "See", "Meer", "Fluss", "Grasland", "Ackerland", "Wüste", "Berg",
           "Park", "Parkplatz", "Eisenbahn", "Stadion", "Schiff", "Autos", "Bäume", "Häuser",
           "Schwimmbecken", "offener Boden", "Wiese", "Seehafen", "Kirche", "Schule"],
    "nl": ["water", "bos", "gebouwen", "wegen", "veld", "strand", "luchthaven", "haven",
           "brug", "meer", "zee", "rivier", "grasland", "landbouwgrond", "woestijn", "berg",
           "park", "parkeerplaats", "spoorweg", "stadion", "schip", "auto's", "bomen", "huizen",
           "zwembad", "kale grond", "weide", "zeehaven", "kerk", "school"],
    "zh": ["水体", "森林", "建筑物", "道路", "田地", "海滩", "机场", "港口",
           "桥梁", "湖泊", "海洋", "河流", "草地", "农田", "沙漠", "山地",
           "公园", "停车场", "铁路", "体育场", "船只", "汽车", "树木", "房屋",
           "游泳池", "裸地", "草甸", "海港", "教堂", "学校"],
    "ko": ["물", "숲", "건물", "도로", "들판", "해변", "공항", "항구",
           "다리", "호수", "바다", "강", "초원", "농지", "사막", "산",
           "공원", "주차장", "철도", "경기장", "선박", "자동차", "나무", "주택",
           "수영장", "나지", "목초지", "해항", "교회", "학교"],
    "ru": ["вода", "лес", "здания", "дороги", "поле", "пляж", "аэропорт", "гавань",
           "мост", "озеро", "море", "река", "луг", "пашня", "пустыня", "гора",
           "парк", "парковка", "железная дорога", "стадион", "корабль", "автомобили", "деревья",
           "дома", "бассейн", "голая почва", "луг", "морской порт", "церковь", "школа"],
}


def josa(word: str, pair: str) -> str:
    """Pick the Korean particle of a pair like '이/가' from the word's last syllable (batchim)."""
    first, second = pair.split("/")
    ch = word.rstrip()[-1]
    code = ord(ch) - 0xAC00
    if not 0 <= code < 11172:
        return second
    return first if code % 28 != 0 else second


# Russian writes "со" before a word opening on с/з/ж/ш/щ plus a consonant ("со зданиями").
_RU_SO = re.compile(r"(^|\s)[Сс] ([сзжшщСЗЖШЩ][бвгджзклмнпрстфхцчшщ])")


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def render(lang: str, template: str, forms: dict) -> str:
    """Fill one glossary template with one class's forms."""
    if lang == "de":
        return template.format(nom=forms["nom"], acc=forms["acc"], dat=forms["dat"],
                               Nom=_cap(forms["nom"]), ist="sind" if forms["pl"] else "ist")
    if lang == "nl":
        pl = forms.get("pl", False)
        return template.format(x=forms["x"], X=_cap(forms["x"]), **{"is": "zijn" if pl else "is"})
    if lang == "ru":
        out = template.format(Nom=_cap(forms["nom"]), **{k: forms[k] for k in ("nom", "gen", "acc", "ins")})
        return _RU_SO.sub(r"\1со \2", out)
    if lang == "zh":
        return template.format(n=forms["n"], m=forms["m"])
    if lang == "ko":
        n = forms["n"]
        out = template.replace("{이/가}", josa(n, "이/가")).replace("{을/를}", josa(n, "을/를"))
        out = out.replace("{은/는}", josa(n, "은/는"))
        return out.format(n=n)
    raise ValueError(f"no glossary templates for language {lang!r}")


def glossary_captions(lang: str, cls: str) -> list[str]:
    """All captions the glossary yields for one class in one glossary language."""
    forms = FORMS[lang][cls]
    return [render(lang, t, forms) for t in TEMPLATES[lang]]


def _glossary_name(lang: str, cls: str) -> str:
    f = FORMS[lang][cls]
    if lang == "de":
        nom = f["nom"]
        for art in ("ein ", "eine ", "mehrere "):
            if nom.startswith(art):
                nom = nom[len(art):]
        return nom
    if lang == "nl":
        x = f["x"]
        return x[4:] if x.startswith("een ") else x
    if lang == "ru":
        return f["nom"]
    return f["n"]


def class_names() -> dict[str, dict[str, dict[str, str]]]:
    """{lang: {dataset: {class: name}}} for ucmerced, eurosat and rsscn7 in all ten languages."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for lang in ["en", "pt", "es", "fr", "de", "nl", "it", "zh", "ko", "ru"]:
        if lang in _UCM_NAMES:
            ucm = dict(zip(UCM_CLASSES, _UCM_NAMES[lang], strict=True))
        else:
            ucm = {c: _glossary_name(lang, c) for c in UCM_CLASSES}
        out[lang] = {
            "ucmerced": ucm,
            "eurosat": dict(zip(EUROSAT_CLASSES, _EUROSAT_NAMES[lang], strict=True)),
            "rsscn7": dict(zip(RSSCN7_CLASSES, _RSSCN7_NAMES[lang], strict=True)),
        }
    return out
