// The built-in land-cover schemes: EuroSAT, UC Merced, ESA WorldCover and CORINE level 1, named in ten languages.
import type { LabelScheme, SchemeClass } from './types.js';

/** Names in the order en, pt, es, fr, de, nl, it, zh, ko, ru. */
type Names10 = [string, string, string, string, string, string, string, string, string, string];

const ORDER = ['en', 'pt', 'es', 'fr', 'de', 'nl', 'it', 'zh', 'ko', 'ru'] as const;

function c(id: string, value: number, color: string, names: Names10, prompts?: Record<string, string[]>): SchemeClass {
  const out: SchemeClass = { id, value, color, names: Object.fromEntries(ORDER.map((l, i) => [l, names[i]])) };
  if (prompts) out.prompts = prompts;
  return out;
}

// EuroSAT's ten Sentinel-2 classes (Helber et al. 2019); English wording as in CLIP's zero-shot EuroSAT prompts.
const EUROSAT: LabelScheme = {
  id: 'eurosat',
  name: 'EuroSAT (10 classes)',
  description: 'Sentinel-2 land use and land cover classes of the EuroSAT data set.',
  source: 'Helber et al. 2019, EuroSAT; colours chosen by Geosift',
  classes: [
    c('annual-crop', 1, '#f3d34a', ['annual crop land', 'lavoura temporária', 'cultivos anuales', 'cultures annuelles', 'einjährige Ackerkulturen', 'akkerland met eenjarige gewassen', 'colture annuali', '一年生农作物耕地', '일년생 작물 경작지', 'однолетние сельскохозяйственные культуры']),
    c('forest', 2, '#1b7837', ['forest', 'floresta', 'bosque', 'forêt', 'Wald', 'bos', 'foresta', '森林', '숲', 'лес']),
    c('herbaceous-vegetation', 3, '#a6d96a', ['herbaceous vegetation', 'vegetação herbácea', 'vegetación herbácea', 'végétation herbacée', 'krautige Vegetation', 'kruidachtige vegetatie', 'vegetazione erbacea', '草本植被', '초본 식생', 'травянистая растительность']),
    c('highway', 4, '#7f7f7f', ['highway or road', 'rodovia ou estrada', 'autopista o carretera', 'autoroute ou route', 'Autobahn oder Straße', 'snelweg of weg', 'autostrada o strada', '高速公路或道路', '고속도로 또는 도로', 'шоссе или дорога']),
    c('industrial', 5, '#b2182b', ['industrial buildings', 'edifícios industriais', 'edificios industriales', 'bâtiments industriels', 'Industriegebäude', 'industriële gebouwen', 'edifici industriali', '工业建筑', '산업 건물', 'промышленные здания']),
    c('pasture', 6, '#d9f0a3', ['pasture land', 'pastagem', 'pastizal', 'pâturage', 'Weideland', 'weiland', 'pascolo', '牧场', '목초지', 'пастбище']),
    c('permanent-crop', 7, '#b8860b', ['permanent crop land', 'cultura permanente', 'cultivos permanentes', 'cultures permanentes', 'Dauerkulturen', 'meerjarige teelten', 'colture permanenti', '多年生作物种植地', '다년생 작물 재배지', 'многолетние насаждения']),
    c('residential', 8, '#f46d43', ['residential buildings', 'edifícios residenciais', 'edificios residenciales', 'bâtiments résidentiels', 'Wohngebäude', 'woongebouwen', 'edifici residenziali', '住宅建筑', '주거용 건물', 'жилые здания']),
    c('river', 9, '#4393c3', ['river', 'rio', 'río', 'rivière', 'Fluss', 'rivier', 'fiume', '河流', '강', 'река']),
    c('sea-lake', 10, '#08306b', ['sea or lake', 'mar ou lago', 'mar o lago', 'mer ou lac', 'Meer oder See', 'zee of meer', 'mare o lago', '海洋或湖泊', '바다 또는 호수', 'море или озеро']),
  ],
};

// UC Merced Land Use's 21 classes (Yang and Newsam 2010), alphabetical as in the data set.
const UCMERCED: LabelScheme = {
  id: 'ucmerced',
  name: 'UC Merced Land Use (21 classes)',
  description: 'Aerial scene classes of the UC Merced Land Use data set (0.3 m USGS orthoimagery).',
  source: 'Yang and Newsam 2010, UC Merced Land Use; colours chosen by Geosift',
  classes: [
    c('agricultural', 1, '#e5c35c', ['agricultural land', 'área agrícola', 'terreno agrícola', 'terres agricoles', 'landwirtschaftliche Fläche', 'landbouwgrond', 'terreno agricolo', '农田', '농경지', 'сельскохозяйственные угодья']),
    c('airplane', 2, '#6a3d9a', ['airplanes', 'aviões', 'aviones', 'avions', 'Flugzeuge', 'vliegtuigen', 'aerei', '飞机', '비행기', 'самолёты']),
    c('baseball-diamond', 3, '#c49c94', ['baseball diamond', 'campo de beisebol', 'campo de béisbol', 'terrain de baseball', 'Baseballfeld', 'honkbalveld', 'campo da baseball', '棒球场', '야구장', 'бейсбольное поле']),
    c('beach', 4, '#f7e8a4', ['beach', 'praia', 'playa', 'plage', 'Strand', 'strand', 'spiaggia', '海滩', '해변', 'пляж']),
    c('buildings', 5, '#d62728', ['buildings', 'edifícios', 'edificios', 'bâtiments', 'Gebäude', 'gebouwen', 'edifici', '建筑物', '건물', 'здания']),
    c('chaparral', 6, '#8c8c3c', ['chaparral shrubland', 'matagal de chaparral', 'chaparral', 'maquis de chaparral', 'Chaparral-Buschland', 'chaparral-struikgewas', 'macchia di chaparral', '硬叶灌丛', '차파랄 관목지', 'заросли чапараля']),
    c('dense-residential', 7, '#a50f15', ['dense residential area', 'área residencial densa', 'zona residencial densa', 'zone résidentielle dense', 'dichtes Wohngebiet', 'dichtbebouwde woonwijk', 'zona residenziale densa', '密集住宅区', '고밀도 주거 지역', 'плотная жилая застройка']),
    c('forest', 8, '#1b7837', ['forest', 'floresta', 'bosque', 'forêt', 'Wald', 'bos', 'foresta', '森林', '숲', 'лес']),
    c('freeway', 9, '#636363', ['freeway', 'via expressa', 'autopista', 'autoroute', 'Autobahn', 'snelweg', 'autostrada', '高速公路', '고속도로', 'автомагистраль']),
    c('golf-course', 10, '#74c476', ['golf course', 'campo de golfe', 'campo de golf', 'terrain de golf', 'Golfplatz', 'golfbaan', 'campo da golf', '高尔夫球场', '골프장', 'поле для гольфа']),
    c('harbor', 11, '#1f78b4', ['harbor', 'porto', 'puerto', 'port', 'Hafen', 'haven', 'porto', '港口', '항구', 'гавань']),
    c('intersection', 12, '#969696', ['road intersection', 'cruzamento', 'intersección', 'carrefour', 'Straßenkreuzung', 'kruispunt', 'incrocio', '十字路口', '교차로', 'перекрёсток']),
    c('medium-residential', 13, '#ef3b2c', ['medium density residential area', 'área residencial de média densidade', 'zona residencial de densidad media', 'zone résidentielle de densité moyenne', 'Wohngebiet mittlerer Dichte', 'woonwijk met middelhoge dichtheid', 'zona residenziale a media densità', '中密度住宅区', '중밀도 주거 지역', 'жилая застройка средней плотности']),
    c('mobile-home-park', 14, '#fd8d3c', ['mobile home park', 'parque de casas móveis', 'parque de casas móviles', 'parc de maisons mobiles', 'Mobilheimsiedlung', 'stacaravanpark', 'parco di case mobili', '移动房屋社区', '이동식 주택 단지', 'посёлок передвижных домов']),
    c('overpass', 15, '#525252', ['overpass', 'viaduto', 'paso elevado', 'passage supérieur', 'Überführung', 'viaduct', 'cavalcavia', '立交桥', '고가도로', 'путепровод']),
    c('parking-lot', 16, '#bdbdbd', ['parking lot', 'estacionamento', 'estacionamiento', 'parking', 'Parkplatz', 'parkeerplaats', 'parcheggio', '停车场', '주차장', 'автостоянка']),
    c('river', 17, '#4393c3', ['river', 'rio', 'río', 'rivière', 'Fluss', 'rivier', 'fiume', '河流', '강', 'река']),
    c('runway', 18, '#3f007d', ['runway', 'pista de pouso', 'pista de aterrizaje', "piste d'atterrissage", 'Start- und Landebahn', 'landingsbaan', 'pista di atterraggio', '飞机跑道', '활주로', 'взлётно-посадочная полоса']),
    c('sparse-residential', 19, '#fcbba1', ['sparse residential area', 'área residencial esparsa', 'zona residencial dispersa', 'zone résidentielle peu dense', 'locker bebautes Wohngebiet', 'woonwijk met lage dichtheid', 'zona residenziale sparsa', '稀疏住宅区', '저밀도 주거 지역', 'редкая жилая застройка']),
    c('storage-tanks', 20, '#e7298a', ['storage tanks', 'tanques de armazenamento', 'tanques de almacenamiento', 'réservoirs de stockage', 'Lagertanks', 'opslagtanks', 'serbatoi di stoccaggio', '储油罐', '저장 탱크', 'резервуары для хранения']),
    c('tennis-court', 21, '#66c2a4', ['tennis court', 'quadra de tênis', 'pista de tenis', 'court de tennis', 'Tennisplatz', 'tennisbaan', 'campo da tennis', '网球场', '테니스장', 'теннисный корт']),
  ],
};

// ESA WorldCover 10 m v200 legend: codes and colours as ESA publishes them (the class codes are the raster values).
const ESA_WORLDCOVER: LabelScheme = {
  id: 'esa-worldcover',
  name: 'ESA WorldCover (11 classes)',
  description: 'The global land-cover legend of ESA WorldCover 10 m; raster values are the official class codes.',
  source: 'ESA WorldCover 10 m 2021 v200 product user manual (codes and colours)',
  classes: [
    c('tree-cover', 10, '#006400', ['tree cover', 'cobertura arbórea', 'cubierta arbórea', 'couvert arboré', 'Baumbedeckung', 'boombedekking', 'copertura arborea', '树木覆盖', '수목 피복', 'древесный покров']),
    c('shrubland', 20, '#ffbb22', ['shrubland', 'vegetação arbustiva', 'matorral', 'zone arbustive', 'Buschland', 'struikgewas', 'arbusteto', '灌木地', '관목지', 'кустарники']),
    c('grassland', 30, '#ffff4c', ['grassland', 'pradaria', 'pastizal', 'prairie', 'Grünland', 'grasland', 'prateria', '草地', '초지', 'луга']),
    c('cropland', 40, '#f096ff', ['cropland', 'área de cultivo', 'tierras de cultivo', 'terres cultivées', 'Ackerland', 'akkerland', 'terreni coltivati', '耕地', '경작지', 'пахотные земли']),
    c('built-up', 50, '#fa0000', ['built-up area', 'área construída', 'zona urbanizada', 'zone bâtie', 'bebaute Fläche', 'bebouwd gebied', 'area edificata', '建成区', '시가지', 'застроенная территория']),
    c('bare-sparse-vegetation', 60, '#b4b4b4', ['bare or sparsely vegetated land', 'solo exposto ou vegetação esparsa', 'suelo desnudo o vegetación escasa', 'sol nu ou végétation clairsemée', 'kahle oder spärlich bewachsene Fläche', 'kale grond of schaarse vegetatie', 'suolo nudo o vegetazione rada', '裸地或稀疏植被', '나지 또는 희소 식생', 'голая земля или редкая растительность']),
    c('snow-ice', 70, '#f0f0f0', ['snow and ice', 'neve e gelo', 'nieve y hielo', 'neige et glace', 'Schnee und Eis', 'sneeuw en ijs', 'neve e ghiaccio', '冰雪', '눈과 얼음', 'снег и лёд']),
    c('permanent-water', 80, '#0064c8', ['permanent water bodies', "corpos d'água permanentes", 'masas de agua permanentes', "plans d'eau permanents", 'ständige Wasserflächen', 'permanent water', 'corpi idrici permanenti', '永久水体', '영구 수역', 'постоянные водоёмы']),
    c('herbaceous-wetland', 90, '#0096a0', ['herbaceous wetland', 'área úmida herbácea', 'humedal herbáceo', 'zone humide herbacée', 'krautiges Feuchtgebiet', 'kruidachtig moeras', 'zona umida erbacea', '草本湿地', '초본 습지', 'травянистые водно-болотные угодья']),
    c('mangroves', 95, '#00cf75', ['mangroves', 'manguezal', 'manglar', 'mangrove', 'Mangroven', 'mangrovebos', 'mangrovie', '红树林', '맹그로브 숲', 'мангровые заросли']),
    c('moss-lichen', 100, '#fae6a0', ['moss and lichen', 'musgos e líquens', 'musgos y líquenes', 'mousses et lichens', 'Moose und Flechten', 'mossen en korstmossen', 'muschi e licheni', '苔藓和地衣', '이끼와 지의류', 'мхи и лишайники']),
  ],
};

// CORINE Land Cover level 1; each colour is the CLC colour of the group's first level-3 class (111, 211, 311, 411, 511).
const CORINE_L1: LabelScheme = {
  id: 'corine-l1',
  name: 'CORINE Land Cover level 1 (5 classes)',
  description: 'The five top-level groups of the CORINE Land Cover nomenclature; raster values are the level-1 codes.',
  source: 'Copernicus Land Monitoring Service, CORINE Land Cover nomenclature and colour table',
  classes: [
    c('artificial-surfaces', 1, '#e6004d', ['artificial surfaces', 'superfícies artificiais', 'superficies artificiales', 'territoires artificialisés', 'künstlich angelegte Flächen', 'bebouwde en kunstmatige gebieden', 'superfici artificiali', '人工地表', '인공 지표', 'искусственные поверхности']),
    c('agricultural-areas', 2, '#ffffa8', ['agricultural areas', 'áreas agrícolas', 'zonas agrícolas', 'territoires agricoles', 'landwirtschaftliche Flächen', 'landbouwgebieden', 'superfici agricole', '农业用地', '농업 지역', 'сельскохозяйственные земли']),
    c('forest-semi-natural', 3, '#80ff00', ['forest and semi-natural areas', 'florestas e meios seminaturais', 'bosques y áreas seminaturales', 'forêts et milieux semi-naturels', 'Wälder und naturnahe Flächen', 'bossen en halfnatuurlijke gebieden', 'territori boscati e ambienti semi-naturali', '森林和半自然区域', '산림 및 반자연 지역', 'леса и полуестественные территории']),
    c('wetlands', 4, '#a6a6ff', ['wetlands', 'zonas úmidas', 'zonas húmedas', 'zones humides', 'Feuchtflächen', 'moerasgebieden', 'zone umide', '湿地', '습지', 'водно-болотные угодья']),
    c('water-bodies', 5, '#00ccf2', ['water bodies', "corpos d'água", 'masas de agua', 'surfaces en eau', 'Wasserflächen', 'wateroppervlakken', 'corpi idrici', '水体', '수역', 'водные объекты']),
  ],
};

export const BUILTIN_SCHEMES: readonly LabelScheme[] = [EUROSAT, UCMERCED, ESA_WORLDCOVER, CORINE_L1];

/** Other names users type for the built-ins. */
export const SCHEME_ALIASES: Record<string, string> = {
  ucm: 'ucmerced',
  'uc-merced': 'ucmerced',
  worldcover: 'esa-worldcover',
  corine: 'corine-l1',
  'clc-l1': 'corine-l1',
};
