"""和歌山県市町村DXに関する調査 (令和5–7年度) as a survey definition.

Follows the prefecture's survey: 66 questions on 9 pages, of which 26 are scored — the
18 総務省項目 (自治体DX全体手順書に基づく評価基準, 3: 推進している … 0: 推進する予定はない)
and the 8 和歌山県項目 D1–D8 (3: 実績が1件以上ある, 0: 実績が無い). The other 40 questions
give context for the report and for support and are not scored. The three fiscal years
ask the same questions under the same codes, so results can be compared year to year.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from kyoso.assessments.definition import (
    Choice,
    Family,
    Page,
    Question,
    QuestionType,
    SurveyDefinition,
    Threshold,
)

PREFECTURE_CODE = "300004"  # 和歌山県
FISCAL_YEARS = (2023, 2024, 2025)  # 令和5・6・7年度

# 総務省項目: the same four answers for every item.
NATIONAL_CHOICES = (
    Choice("promoting", "推進している", 3),
    Choice("planned", "推進予定", 2),
    Choice("considering", "時期は未定だが推進を検討中", 1),
    Choice("not_planned", "推進する予定はない", 0),
)
# 和歌山県項目: 3 points when there is at least one instance, else 0.
PREFECTURE_THRESHOLDS = (Threshold(1, 3),)

TOOL_CHOICES = (
    Choice("introduced", "導入済み"),
    Choice("trial", "試行中"),
    Choice("considering", "検討中"),
    Choice("not_planned", "予定なし"),
)
SUPPORT_CHOICES = (
    Choice("wanted", "希望する"),
    Choice("interested", "関心がある"),
    Choice("not_wanted", "希望しない"),
)

_COUNT_PERIOD = "直近1年間（前年度4月〜調査時点）"


def _national(code: str, text: str, area: str, help: str) -> Question:
    return Question(
        code=code,
        text=text,
        type=QuestionType.SINGLE,
        required=True,
        help=help,
        family=Family.NATIONAL,
        area=area,
        choices=NATIONAL_CHOICES,
    )


def _prefecture(code: str, text: str, help: str) -> Question:
    return Question(
        code=code,
        text=text,
        type=QuestionType.COUNT,
        required=True,
        help=help,
        family=Family.PREFECTURE,
        area="県独自指標",
        thresholds=PREFECTURE_THRESHOLDS,
        minimum=0,
        maximum=999,
    )


def _one(
    code: str, text: str, choices: tuple[Choice, ...], help: str = "", required: bool = True
) -> Question:
    return Question(
        code=code,
        text=text,
        type=QuestionType.SINGLE,
        required=required,
        help=help,
        choices=choices,
    )


def _many(
    code: str, text: str, choices: tuple[Choice, ...], help: str = "", required: bool = True
) -> Question:
    return Question(
        code=code,
        text=text,
        type=QuestionType.MULTIPLE,
        required=required,
        help=help,
        choices=choices,
    )


def _integer(code: str, text: str, help: str = "", required: bool = True) -> Question:
    return Question(
        code=code, text=text, type=QuestionType.COUNT, required=required, help=help, minimum=0
    )


def _decimal(code: str, text: str, help: str = "", required: bool = False) -> Question:
    return Question(
        code=code, text=text, type=QuestionType.NUMBER, required=required, help=help, minimum=0
    )


def _text(code: str, text: str, help: str = "", required: bool = False) -> Question:
    return Question(code=code, text=text, type=QuestionType.TEXT, required=required, help=help)


def _tool(code: str, text: str, help: str = "") -> Question:
    return _one(code, text, TOOL_CHOICES, help)


def _support(code: str, theme: str) -> Question:
    return _one(
        code,
        f"テーマ「{theme}」について、県の支援（テーマ別よろず相談等）を希望しますか？",
        SUPPORT_CHOICES,
        "参加の確約ではありません。現時点のお考えをお選びください。",
    )


def _respondent_page() -> Page:
    return Page(
        "回答者・団体の基本情報",
        (
            _text(
                "A1",
                "回答者の所属部署を入力してください。",
                "例：総務課デジタル推進係",
                required=True,
            ),
            _text("A2", "回答者の役職を入力してください。", "差し支えなければご記入ください。"),
            _text(
                "A3",
                "回答者の氏名を入力してください。",
                "差し支えなければご記入ください。内容の確認のためにご連絡することがあります。",
            ),
            _integer(
                "A4",
                "職員数（4月1日時点の正規職員数）を入力してください。",
                "会計年度任用職員は含めないでください。",
            ),
            _one(
                "A5",
                "本調査の回答はどのように取りまとめましたか？",
                (
                    Choice("alone", "回答者が単独で回答した"),
                    Choice("consulted", "関係部署に確認のうえ回答した"),
                    Choice("organization", "庁内で協議のうえ組織として回答した"),
                ),
            ),
        ),
    )


def _policy_page() -> Page:
    area = "方針・計画"
    return Page(
        "DX推進の方針・計画",
        (
            _national(
                "0-1",
                "基本的な考え方：組織内において、DXに関する定義を行っていますか？",
                area,
                "DXの定義やめざす姿を、計画・方針・庁議資料等の文書で明文化していれば"
                "「推進している」を選んでください。",
            ),
            _many(
                "P1",
                "DXの定義やめざす姿を、職員にどのように周知していますか？"
                "あてはまるものをすべて選んでください。",
                (
                    Choice("executive_meeting", "庁議・幹部会議"),
                    Choice("training", "職員研修"),
                    Choice("intranet", "庁内掲示板・グループウェア"),
                    Choice("mayor_message", "首長からのメッセージ"),
                    Choice("other", "その他"),
                    Choice("none", "周知していない"),
                ),
            ),
            _national(
                "1-1",
                "DX推進にかかる計画・指針等を策定していますか？",
                area,
                "DX推進計画・指針を策定済みであれば「推進している」を選んでください。"
                "総合計画や情報化計画の中にDX推進の章・項目を設けている場合も含みます。",
            ),
            _one(
                "P2",
                "DX推進にかかる計画・指針は、どのような形で策定していますか？",
                (
                    Choice("standalone", "DX推進計画・指針として単独で策定している"),
                    Choice("part_of_plan", "総合計画・情報化計画等の一部に位置づけている"),
                    Choice("drafting", "策定中である"),
                    Choice("none", "策定していない"),
                ),
            ),
            _one(
                "P3",
                "計画・指針の推進にあたり、数値目標（KPI）を設定していますか？",
                (
                    Choice("tracked", "設定し、進捗を定期的に確認している"),
                    Choice("set", "設定しているが、進捗の確認はしていない"),
                    Choice("not_set", "設定していない"),
                    Choice("no_plan", "計画・指針を策定していない"),
                ),
            ),
        ),
    )


def _organization_page(fiscal_year: int) -> Page:
    area = "体制"
    reiwa = fiscal_year - 2018
    return Page(
        "推進体制・予算",
        (
            _national(
                "2-1",
                "DX推進の責任者(例：CDO等)を配置していますか？",
                area,
                "DX推進の責任者（CDO等）を要綱・辞令等で正式に位置づけていれば"
                "「推進している」を選んでください。",
            ),
            _one(
                "B1",
                "DX推進の責任者の職位を教えてください。",
                (
                    Choice("mayor", "首長"),
                    Choice("deputy_mayor", "副首長"),
                    Choice("director", "部長級"),
                    Choice("manager", "課長級"),
                    Choice("other", "その他"),
                    Choice("none", "配置していない"),
                ),
            ),
            _national(
                "2-3",
                "DX推進担当部門を設置していますか？",
                area,
                "事務分掌でDX推進を所掌する部署（課・室・係）を定めていれば"
                "「推進している」を選んでください。",
            ),
            _one(
                "B2",
                "DX推進本部など、全庁でDXを推進するための会議体を設けていますか？",
                (
                    Choice("established", "設けている"),
                    Choice("planned", "設置を予定・検討している"),
                    Choice("none", "設けていない"),
                ),
            ),
            _integer(
                "B3",
                "DX推進を担当する専任職員の人数を入力してください。",
                "DX推進の業務のみを担当している職員の人数です。いなければ 0 を入力してください。",
            ),
            _integer(
                "B4",
                "DX推進を担当する兼任職員の人数を入力してください。",
                "ほかの業務と兼ねてDX推進を担当している職員の人数です。"
                "いなければ 0 を入力してください。",
            ),
            _integer(
                "B5",
                "情報システムを担当する職員の人数を入力してください。",
                "専任・兼任を問わず、情報システムの管理・運用を担当している職員の人数です。",
            ),
            _one(
                "B6",
                "DX関連の予算はありますか？",
                (
                    Choice("yes", "ある"),
                    Choice("no", "ない"),
                    Choice("unknown", "わからない"),
                ),
                "DX推進を目的とする事業の予算があれば「ある」を選んでください。",
            ),
            _decimal(
                "B7",
                f"令和{reiwa}年度のDX関連予算額（千円）を入力してください。",
                "DX関連の予算が「ある」場合に、当初予算でのDX推進に関する事業費の合計を"
                "千円単位で入力してください。おおよその額で構いません。",
            ),
        ),
    )


def _procedures_page() -> Page:
    area = "行政手続・業務"
    return Page(
        "行政手続のオンライン化・業務改革",
        (
            _national(
                "3-1",
                "システム標準化対象の20業務の対応状況を教えてください。",
                area,
                "標準準拠システムへの移行作業を進めている場合（移行済みを含む）は"
                "「推進している」を選んでください。",
            ),
            _national(
                "3-2",
                "マイナンバーカードの普及促進をしていますか？",
                area,
                "出張申請受付、休日・夜間窓口の開設、広報などでマイナンバーカードの取得・"
                "利用を促していれば「推進している」を選んでください。",
            ),
            _national(
                "3-3",
                "行政手続きのオンライン化を推進していますか？",
                area,
                "LoGoフォーム等で受け付けている手続きがあれば「推進している」を選んでください。",
            ),
            _integer(
                "G1",
                "オンラインで申請できる手続のおおよその数を入力してください。",
                "マイナポータル（ぴったりサービス）やLoGoフォーム等で受け付けている手続の数です。"
                "把握していない場合は空欄のままで構いません。",
                required=False,
            ),
            _tool("T1", "LoGoフォームの導入状況を教えてください。"),
            _tool(
                "T2",
                "窓口でのキャッシュレス決済の導入状況を教えてください。",
                "証明書の交付手数料などを、現金以外（電子マネー、QRコード決済等）"
                "で支払える場合は「導入済み」です。",
            ),
            _national(
                "3-12",
                "BPRを推進していますか？",
                area,
                "業務量調査や業務フローの見直しを行い、業務の改善につなげた取り組みがあれば"
                "「推進している」を選んでください。",
            ),
            _many(
                "G2",
                "これまでにBPR（業務の見直し）に取り組んだ業務をすべて選んでください。",
                (
                    Choice("counter", "窓口業務"),
                    Choice("general_affairs", "庶務・経理業務"),
                    Choice("documents", "文書管理・決裁"),
                    Choice("meetings", "会議運営・議事録作成"),
                    Choice("inquiries", "照会・調査の集計"),
                    Choice("other", "その他"),
                    Choice("none", "取り組んでいない"),
                ),
            ),
        ),
    )


def _technology_page() -> Page:
    area = "行政手続・業務"
    return Page(
        "AI・RPA・テレワーク・セキュリティ",
        (
            _national(
                "3-4",
                "AI（生成AIを含む）を活用していますか？",
                area,
                "AI-OCR、議事録作成支援、チャットボット、生成AIなど、業務で利用している"
                "AIがあれば「推進している」を選んでください。",
            ),
            _tool("T3", "生成AIの導入状況を教えてください。"),
            _one(
                "E1",
                "生成AIの利用に関するガイドライン等を定めていますか？",
                (
                    Choice("established", "定めている"),
                    Choice("drafting", "作成中である"),
                    Choice("none", "定めていない"),
                ),
            ),
            _national(
                "3-5",
                "RPAを活用していますか？",
                area,
                "RPAで自動化している業務が1つ以上あれば「推進している」を選んでください。",
            ),
            _tool("T4", "RPAの導入状況を教えてください。"),
            _national(
                "3-6",
                "テレワークを推進していますか？",
                area,
                "職員が自宅等で業務を行える環境があり、制度として利用できる状態であれば"
                "「推進している」を選んでください。",
            ),
            _tool(
                "T5",
                "テレワーク環境（庁外から業務システムに接続できる環境）の導入状況を"
                "教えてください。",
            ),
            _national(
                "3-7",
                "セキュリティ対策はどのくらい徹底していますか？",
                area,
                "国のガイドラインに沿って情報セキュリティポリシーを見直し、研修や点検を"
                "継続して行っていれば「推進している」を選んでください。",
            ),
        ),
    )


def _community_page() -> Page:
    area = "地域社会"
    return Page(
        "地域社会のデジタル化",
        (
            _national(
                "3-9",
                "デジタル田園都市国家構想の実現に向けたデジタル実装の取組の推進・"
                "地域社会のデジタル化の取組を行なっていますか？",
                area,
                "防災、医療・福祉、交通、観光など、地域の課題の解決にデジタル技術を活用する"
                "取り組みを行っていれば「推進している」を選んでください。",
            ),
            _many(
                "R1",
                "デジタル技術を活用した取り組みを行っている分野をすべて選んでください。",
                (
                    Choice("disaster", "防災"),
                    Choice("health_welfare", "医療・福祉"),
                    Choice("childcare_education", "子育て・教育"),
                    Choice("mobility", "交通・移動"),
                    Choice("tourism", "観光"),
                    Choice("primary_industry", "農林水産業"),
                    Choice("commerce", "商工・地域産業"),
                    Choice("other", "その他"),
                    Choice("none", "取り組んでいない"),
                ),
            ),
            _one(
                "R2",
                "地域社会のデジタル化に、国の交付金（デジタル田園都市国家構想交付金等）を"
                "活用していますか？",
                (
                    Choice("using", "活用している"),
                    Choice("considering", "活用を検討している"),
                    Choice("not_using", "活用していない"),
                ),
            ),
            _national(
                "3-11",
                "デジタルデバイド対策を推進していますか？",
                area,
                "スマートフォン教室の開催や窓口での操作支援など、デジタル機器の利用に不慣れな"
                "住民への支援を行っていれば「推進している」を選んでください。",
            ),
            _many(
                "R3",
                "実施しているデジタルデバイド対策をすべて選んでください。",
                (
                    Choice("smartphone_class", "スマートフォン教室・講座の開催"),
                    Choice("counter_support", "窓口でのオンライン手続の操作支援"),
                    Choice("outreach", "地域に出向いての出張相談・講座"),
                    Choice("volunteers", "デジタル推進委員等との連携"),
                    Choice("other", "その他"),
                    Choice("none", "実施していない"),
                ),
            ),
            _national(
                "3-13",
                "オープンデータ・官民データ活用を推進していますか？",
                area,
                "オープンデータをホームページやカタログサイトで公開している場合、"
                "または官民データを施策の立案等に活用している場合は"
                "「推進している」を選んでください。",
            ),
        ),
    )


def _people_page() -> Page:
    area = "人材"
    return Page(
        "DX人材の育成・確保",
        (
            _national(
                "0-3",
                "DXに関する認識共有・機運醸成の研修を実施したことはありますか？",
                area,
                "職員を対象に、DXの認識共有・機運醸成を目的とした研修（外部講師による研修、"
                "eラーニングを含む）を実施したことがあれば「推進している」を選んでください。",
            ),
            _many(
                "H1",
                "DXに関する研修の対象としている職員をすべて選んでください。",
                (
                    Choice("executives", "首長・幹部職員"),
                    Choice("managers", "管理職"),
                    Choice("general", "一般職員"),
                    Choice("new_hires", "新規採用職員"),
                    Choice("dx_staff", "DX・情報システム担当職員"),
                    Choice("none", "研修を実施していない"),
                ),
            ),
            _national(
                "5-1",
                "DX推進のための人材育成・確保方針は策定していますか？",
                area,
                "DX人材の育成・確保方針を策定済みの場合、または既存の人材育成基本方針に"
                "DX人材の育成・確保を盛り込んでいる場合は「推進している」を選んでください。",
            ),
            _one(
                "H2",
                "デジタル分野の職員を確保するための採用（デジタル枠・IT職等）を行っていますか？",
                (
                    Choice("implemented", "行っている"),
                    Choice("considering", "検討している"),
                    Choice("not_planned", "予定はない"),
                ),
            ),
            _national(
                "5-7",
                "DX推進にかかる外部人材を活用していますか？",
                area,
                "任用した民間の専門人材や、国の制度等によるアドバイザーなど、外部の人材の"
                "助言・支援を受けてDXを進めていれば「推進している」を選んでください。",
            ),
            _many(
                "H3",
                "DX推進に活用している外部人材をすべて選んでください。",
                (
                    Choice(
                        "national_advisers",
                        "国の制度によるアドバイザー（地域情報化アドバイザー等）",
                    ),
                    Choice("prefecture_advisers", "県の市町村DXアドバイザー（よろず相談）"),
                    Choice("appointed_experts", "任期付職員等として任用した民間の専門人材"),
                    Choice("partner_companies", "連携協定を結んだ民間企業による支援"),
                    Choice("consultants", "業務委託によるコンサルタント等"),
                    Choice("other", "その他"),
                    Choice("none", "活用していない"),
                ),
            ),
        ),
    )


def _prefecture_page() -> Page:
    return Page(
        "和歌山県独自の指標",
        (
            _prefecture(
                "D1",
                "他団体向けの講演・研修の実施",
                f"{_COUNT_PERIOD}に、他の自治体等に向けて講演・研修を行った件数を"
                "数字で入力してください。実績がなければ 0。",
            ),
            _prefecture(
                "D2",
                "個別研修・ワークショップ実施",
                f"{_COUNT_PERIOD}に、自団体の職員を対象として個別のテーマ（業務改革、"
                "データ活用、生成AI等）で実施した研修・ワークショップの件数を数字で"
                "入力してください。実績がなければ 0。",
            ),
            _prefecture(
                "D3",
                "自団体の取り組みの発信・視察の受け入れ",
                f"{_COUNT_PERIOD}に、自団体のDXの取り組みを外部に発信した件数（発表・寄稿等）"
                "と、他団体からの視察を受け入れた件数の合計を数字で入力してください。"
                "実績がなければ 0。",
            ),
            _prefecture(
                "D4",
                "ガイドライン等文書の他団体への展開",
                f"{_COUNT_PERIOD}に、自団体で作成したガイドライン・マニュアル・様式等を"
                "他団体に提供した件数を数字で入力してください。実績がなければ 0。",
            ),
            _prefecture(
                "D5",
                "他団体に向けた事例共有",
                f"{_COUNT_PERIOD}に、よろず相談・研修・チャット等の場で他団体に向けて"
                "自団体の事例を共有した件数を数字で入力してください。実績がなければ 0。",
            ),
            _prefecture(
                "D6",
                "IT系資格取得支援制度の有無",
                "IT系資格（ITパスポート、情報セキュリティマネジメント等）の取得を支援する制度"
                "（受験料の補助等）があれば 1、なければ 0 を入力してください。",
            ),
            _prefecture(
                "D7",
                "国のアドバイザー派遣制度活用",
                f"{_COUNT_PERIOD}に、経営・財務マネジメント強化事業または地域情報化アドバイザー"
                "派遣制度を活用した回数を数字で入力してください。実績がなければ 0。",
            ),
            _prefecture(
                "D8",
                "首長・副首長との意見交換実施",
                f"{_COUNT_PERIOD}に、DX推進をテーマとして首長・副首長と意見交換を行った回数を"
                "数字で入力してください。実績がなければ 0。",
            ),
        ),
    )


def _needs_page() -> Page:
    return Page(
        "利用ツール・課題・支援の希望",
        (
            _tool("T6", "ビジネスチャットツールの導入状況を教えてください。"),
            _many(
                "T7",
                "次のうち、庁内で利用しているツールをすべて選んでください。",
                (
                    Choice("groupware", "グループウェア"),
                    Choice("web_meeting", "Web会議システム"),
                    Choice("e_approval", "電子決裁システム"),
                    Choice("cloud_storage", "クラウドストレージ"),
                    Choice("nocode", "ノーコード・ローコードツール"),
                    Choice("ai_ocr", "AI-OCR"),
                    Choice("transcription", "議事録作成支援（音声認識）"),
                    Choice("e_contract", "電子契約サービス"),
                    Choice("none", "いずれも利用していない"),
                ),
            ),
            _many(
                "K1",
                "DX推進における課題をすべて選んでください。",
                (
                    Choice("staff_shortage", "DX推進を担う人材の不足"),
                    Choice("skills_shortage", "職員のデジタルスキルの不足"),
                    Choice("budget_shortage", "予算の不足"),
                    Choice("internal_understanding", "庁内の理解・協力が得られにくい"),
                    Choice("unclear_direction", "組織としての方針・目標が明確でない"),
                    Choice("where_to_start", "何から取り組めばよいかわからない"),
                    Choice("vendor_dependence", "特定の事業者への依存"),
                    Choice("other", "その他"),
                ),
            ),
            _text(
                "K2",
                "DX推進について、困っていることや課題を具体的にご記入ください。",
                "「その他」を選んだ場合は、その内容もご記入ください。",
            ),
            _support("S1", "R8年度以降の事業のあり方・枠組み"),
            _support("S2", "窓口BPR・庁内BPR"),
            _support("S3", "DX人材育成・確保"),
            _support("S4", "共同利用・共同調達"),
            _support("S5", "オープンデータ・利活用"),
            _support("S6", "地域社会DX"),
            _text(
                "S7",
                "よろず相談で相談したいことがあればご記入ください。",
                "テーマを問わず、日頃の困りごとなどもお気軽にご記入ください。",
            ),
        ),
    )


DESCRIPTION = (
    "本調査は、和歌山県が実施する「和歌山県・市町村行政DX推進による行政経営変革支援事業」"
    "において、各市町村のDXの取り組み状況を把握し、市町村ごとのきめ細やかな伴走支援に"
    "つなげるとともに、県・市町村連携の取り組み内容を検討するために実施するものです。\n"
    "分析結果は、全体の集計結果とご回答内容を比較できるレポートの形でお返しします。"
    "庁内での状況の共有にもご活用ください。\n"
    "設問数：全66問（全9ページ）／想定回答時間：30〜40分\n"
    "お問い合わせ先：「和歌山県・市町村行政DX推進による行政経営変革支援事業」事務局"
)


def wakayama_survey(fiscal_year: int) -> SurveyDefinition:
    """The survey for one fiscal year (2023–2025, i.e. 令和5–7年度)."""
    if fiscal_year not in FISCAL_YEARS:
        raise ValueError(f"和歌山県の調査は {FISCAL_YEARS} 年度のみ定義されています: {fiscal_year}")
    return SurveyDefinition(
        slug=f"wakayama-{fiscal_year}",
        title=f"和歌山県市町村DXに関する調査（令和{fiscal_year - 2018}年度）",
        fiscal_year=fiscal_year,
        prefecture_code=PREFECTURE_CODE,
        description=DESCRIPTION,
        pages=(
            _respondent_page(),
            _policy_page(),
            _organization_page(fiscal_year),
            _procedures_page(),
            _technology_page(),
            _community_page(),
            _people_page(),
            _prefecture_page(),
            _needs_page(),
        ),
    )


BUNDLED: dict[str, Callable[[], SurveyDefinition]] = {
    f"wakayama-{year}": partial(wakayama_survey, year) for year in FISCAL_YEARS
}
