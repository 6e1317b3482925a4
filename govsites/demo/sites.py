"""The demo sites as data, modelled on the units of the 2015 Ankang evaluation notice.

Every date is fixed relative to ``AS_OF`` (2015-12-31). ``SiteApp`` turns one ``Site`` into the
responses its server sends; ``expected.py`` derives the expected results from the same records.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import unquote, urlsplit

from govsites.demo.model import AS_OF, DEAD_NETLOC, FILES, Column, GuideField, Item, Letter, Site
from govsites.demo.templates import FAMILIES, Family, Page, error_page

DEAD_URL = f"http://{DEAD_NETLOC}/"


def _d(text: str) -> date:
    return date.fromisoformat(text)


def _i(ident: int, title: str, day: str | None, **kw: object) -> Item:
    return Item(ident, title, _d(day) if day else None, **kw)  # type: ignore[arg-type]


_ANSWERED_TEXT = (
    "您好！您反映的问题已转相关部门核实办理，具体情况如下：相关部门已按规定处理，感谢您对我们工作的关心和支持。"
)


def _l(state: str, answered: bool, reply: str | None = None, text: str = _ANSWERED_TEXT) -> Letter:
    """A letter's handling: its state wording, whether it is answered, the reply date and text."""
    return Letter(state, answered, _d(reply) if reply else None, text if answered else "")


def _g(*rows: str) -> tuple[GuideField, ...]:
    """Guide rows written as "element|label|content" (label defaults to the element)."""
    out = []
    for row in rows:
        element, label, content = row.split("|")
        out.append(GuideField(element, label or element, content))
    return tuple(out)


_TEL = "0915-3210000"


# ---- 1. 旬阳县人民政府: TRS WCM, passes ------------------------------------------------------------------
XUNYANG = Site(
    "xunyang",
    "旬阳县人民政府",
    "county",
    "旬阳县",
    "trs",
    0,
    site_code="6109280001",
    icp="陕ICP备05004412号",
    about=(
        "旬阳县位于陕西省东南部、安康市东部，汉江与旬河交汇处。",
        "县人民政府是县级国家行政机关，负责全县经济社会发展各项工作。",
    ),
    notes=(
        "TRS relative links and createPageHTML pagination",
        "pinned old item above newer ones",
        "one stale policy column, one blank column",
        "领导信箱 as a table with 办理状态 and 回复时间 columns, one letter answered late",
        "在线访谈 (excluded from the 互动回应差 veto) with an unanswered question",
    ),
    columns=(
        Column(
            "xwzx/zwyw",
            "政务要闻",
            "news",
            home_block=True,
            items=(
                _i(4401, "旬阳县召开全县政府网站普查整改工作动员会", "2015-06-01", pinned=True),
                _i(4412, "县委常委会议专题研究部署全县脱贫攻坚和冬季农业农村重点工作", "2015-12-28"),
                _i(4411, "旬阳县第十七届人民代表大会常务委员会召开第三十次会议", "2015-12-25"),
                _i(4410, "县政府召开常务会议研究年度目标责任考核工作", "2015-12-22"),
                _i(4409, "全县安全生产工作会议召开", "2015-12-20"),
                _i(4408, "旬阳县太极城文化旅游发展规划通过专家评审", "2015-12-13"),
            ),
            older=(
                (
                    _i(4405, "县长带队检查城区冬季供水供暖保障工作", "2015-12-10"),
                    _i(4404, "旬阳县召开农村基层党建工作推进会", "2015-12-03"),
                ),
                (
                    _i(4403, "全县烤烟收购工作圆满结束", "2015-11-20"),
                    _i(4402, "旬阳县举行重点项目集中开工仪式", "2015-11-12"),
                ),
            ),
        ),
        Column(
            "xwzx/bmdt",
            "部门动态",
            "news",
            home_block=True,
            items=(
                _i(4421, "县农业局开展冬季农业技术培训", "2015-12-24"),
                _i(4420, "县交通运输局全力做好冬季道路安全保畅工作", "2015-12-21"),
                _i(4419, "县卫生计生局开展义诊下乡活动", "2015-12-14"),
                _i(4418, "县教体局召开学校安全工作会议", "2015-12-07"),
            ),
        ),
        Column(
            "xwzx/tzgg",
            "通知公告",
            "notice",
            home_block=True,
            items=(
                _i(4431, "旬阳县人民政府关于做好二〇一六年元旦春节期间有关工作的通知", "2015-12-25"),
                _i(4430, "关于公开招聘县城社区专职工作人员的公告", "2015-12-11"),
                _i(4429, "旬阳县人民政府办公室关于开展政府网站自查整改工作的通知", "2015-11-30"),
            ),
        ),
        Column(
            "zwgk/zcwj",
            "政策文件",
            "policy",
            items=(
                _i(4441, "旬阳县人民政府关于印发旬阳县城镇建设管理办法的通知", "2015-05-12"),
                _i(4440, "旬阳县人民政府关于加快发展现代农业的实施意见", "2015-03-03"),
                _i(4439, "旬阳县人民政府办公室关于进一步加强安全生产工作的通知", "2014-11-20"),
            ),
        ),
        Column(
            "zwgk/zcjd",
            "政策解读",
            "policy",
            menu="side",
            items=(
                _i(4451, "《旬阳县精准扶贫实施方案》政策解读", "2015-11-03"),
                _i(4450, "图解：旬阳县城乡居民医疗保险新政策", "2015-08-14"),
            ),
        ),
        Column(
            "zwgk/rsxx",
            "人事信息",
            "personnel",
            menu="side",
            items=(
                _i(4461, "旬阳县人民政府关于张宏伟等同志职务任免的通知", "2015-10-20"),
                _i(4460, "旬阳县二〇一五年公开招聘事业单位工作人员拟聘用人员公示", "2015-04-08"),
            ),
        ),
        Column("zwgk/ghjh", "规划计划", "plan", menu="side", blank_text="暂无信息"),
        Column(
            "zwgk/czyjs",
            "财政预决算",
            "disclosure",
            menu="side",
            items=(
                _i(
                    4471,
                    "旬阳县二〇一五年县级部门预算公开",
                    "2015-03-20",
                    attachments=(("/uploads/files/2015年度部门预算表.xls", "2015年度部门预算表.xls"),),
                ),
            ),
        ),
        Column(
            "zwgk/xxgknb",
            "信息公开年报",
            "disclosure",
            menu="side",
            items=(_i(4475, "旬阳县人民政府二〇一四年政府信息公开工作年度报告", "2015-03-25"),),
        ),
        Column(
            "bsfw/bszn",
            "办事指南",
            "guide",
            layout="table",
            items=(
                _i(
                    4481,
                    "城乡居民最低生活保障申请办事指南",
                    "2014-08-11",
                    guide=_g(
                        "事项名称||城乡居民最低生活保障审批",
                        "设定依据||《社会救助暂行办法》",
                        "申请条件||持有本县户籍，家庭人均收入低于当地最低生活保障标准",
                        "办理材料||户口簿、身份证、家庭收入证明",
                        "办理地点||县民政局社会救助股",
                        "办理时间||工作日上午八点至十二点，下午两点半至六点",
                        f"联系电话||{_TEL}",
                        "办理流程||申请、审核、公示、审批",
                    ),
                    attachments=(("/uploads/files/最低生活保障申请表.doc", "最低生活保障申请表.doc"),),
                ),
                _i(
                    4482,
                    "个体工商户设立登记办事指南",
                    "2014-06-02",
                    guide=_g(
                        "事项名称|服务事项|个体工商户设立登记",
                        "设定依据|法律依据|《个体工商户条例》",
                        "申请条件|受理条件|有经营能力的公民",
                        "办理材料|申请材料|登记申请书、经营者身份证明、经营场所证明",
                        "办理地点|受理地点|县政务服务中心工商窗口",
                        "办理时间|办公时间|法定工作日",
                        f"联系电话|咨询电话|{_TEL}",
                        "办理流程|办事流程|受理、审查、决定、发照",
                    ),
                    attachments=(("/uploads/files/个体工商户登记申请书.docx", "个体工商户登记申请书"),),
                ),
            ),
        ),
        Column(
            "hdjl/ldxx",
            "领导信箱",
            "interaction",
            layout="table",
            # the list also shows reply dates: the newest letter is pending and newer than every reply
            items=(
                _i(4495, "关于城区停车难问题的建议", "2015-12-23", letter=_l("办理中", False)),
                _i(4494, "关于农村公路养护问题的反映", "2015-12-09", letter=_l("已回复", True, "2015-12-15")),
                _i(4493, "关于县城集中供暖的咨询", "2015-11-18", letter=_l("已办结", True, "2015-11-24")),
                _i(4492, "关于村级饮水工程维修问题的反映", "2015-08-03", letter=_l("已办结", True, "2015-11-20")),
                _i(4491, "关于城区夜市噪音扰民的反映", "2015-03-16", letter=_l("已回复", True, "2015-03-20")),
                _i(4490, "关于老旧小区改造的建议", "2014-11-05", letter=_l("已回复", True, "2014-11-12")),
            ),
        ),
        Column(
            "hdjl/zxft",
            "在线访谈",
            "interaction",
            menu="side",
            layout="badge",
            items=(_i(4497, "关于农村电子商务发展的网民提问", "2015-07-10", letter=_l("未回复", False)),),
        ),
    ),
)

# ---- 2. 紫阳县人民政府: 大汉 Hanweb jcms, passes --------------------------------------------------------
ZIYANG = Site(
    "ziyang",
    "紫阳县人民政府",
    "county",
    "紫阳县",
    "hanweb",
    1,
    site_code="6109240001",
    icp="陕ICP备05008871号",
    about=("紫阳县位于陕西省南部，大巴山北麓、汉江上游，以富硒茶闻名。",),
    notes=(
        "first list page inside <script type=text/xml> datastore CDATA",
        "later pages via dataproxy.jsp",
        "dates in <span>, in <b>, and only in the URL",
        "网友留言 list without status (status and reply only on the detail pages)",
        "三公经费 column last updated in 2014 (stale)",
    ),
    columns=(
        Column(
            "zyyw",
            "紫阳要闻",
            "news",
            ident=1234,
            date_style="span",
            home_block=True,
            items=(
                _i(5678, "紫阳县召开县委经济工作会议安排部署明年工作", "2015-12-21"),
                _i(5677, "紫阳富硒茶产业发展推进会召开", "2015-12-19"),
                _i(5676, "县政府召开全县冬春农田水利基本建设动员会", "2015-12-11"),
                _i(5675, "紫阳县开展冬季森林防火专项检查", "2015-12-04"),
                _i(5674, "紫阳县扶贫搬迁安置小区建设加快推进", "2015-11-27"),
            ),
            older=(
                (
                    _i(5673, "紫阳县举办第二届富硒茶文化节", "2015-11-16"),
                    _i(5672, "县人大常委会视察全县重点项目建设", "2015-11-09"),
                    _i(5671, "紫阳县召开秋季征兵工作会议", "2015-10-28"),
                    _i(5670, "紫阳县开展全民健身运动会", "2015-10-19"),
                    _i(5669, "紫阳县召开第三季度经济形势分析会", "2015-10-12"),
                ),
            ),
        ),
        Column(
            "bmdt",
            "部门动态",
            "news",
            ident=1235,
            date_style="b",
            home_block=True,
            items=(
                _i(5690, "县住建局开展建筑施工安全大检查", "2015-12-23"),
                _i(5689, "县茶业局组织茶农参加技术培训", "2015-12-14"),
                _i(5688, "县民政局开展冬季救助慰问活动", "2015-12-02"),
            ),
        ),
        Column(
            "tzgg",
            "通知公告",
            "notice",
            ident=1236,
            date_style="none",
            home_block=True,
            items=(
                _i(5701, "紫阳县人民政府关于做好冬季森林防火工作的通告", "2015-12-01"),
                _i(5700, "关于公开选调县直机关工作人员的公告", "2015-11-18"),
                _i(5699, "紫阳县人民政府办公室关于开展安全生产大检查的通知", "2015-10-09"),
            ),
        ),
        Column(
            "zcwj",
            "政策文件",
            "policy",
            ident=1237,
            date_style="span",
            items=(
                _i(5711, "紫阳县人民政府关于加快富硒茶产业发展的意见", "2015-11-05"),
                _i(5710, "紫阳县移民搬迁安置工作实施办法", "2015-09-22"),
            ),
        ),
        Column(
            "rsxx",
            "人事信息",
            "personnel",
            ident=1238,
            date_style="b",
            menu="side",
            items=(_i(5721, "紫阳县人民政府关于李建军等同志职务任免的通知", "2015-09-16"),),
        ),
        Column(
            "bszn",
            "办事指南",
            "guide",
            ident=1239,
            date_style="span",
            layout="strong",
            items=(
                _i(
                    5731,
                    "建设工程规划许可证办理指南",
                    "2015-04-10",
                    guide=_g(
                        "事项名称||建设工程规划许可证核发",
                        "设定依据||《中华人民共和国城乡规划法》",
                        "申请条件||已取得建设用地使用权",
                        "办理材料||申请表、土地使用证明、设计方案",
                        "办理地点||县政务服务中心住建窗口",
                        "办理时间||法定工作日",
                        f"联系电话||{_TEL}",
                        "办理流程||受理、审查、公示、发证",
                    ),
                    attachments=(("/uploads/files/建设工程规划许可申请表.xls", "申请表"),),
                ),
                _i(
                    5730,
                    "农村宅基地审批办理指南",
                    "2015-03-26",
                    guide=_g(
                        "事项名称||农村村民宅基地审批",
                        "设定依据||《中华人民共和国土地管理法》",
                        "申请条件||本村集体经济组织成员",
                        "办理材料|所需材料|申请书、户口簿、村民会议意见",
                        "办理地点||所在镇人民政府",
                        "办理时间||无",
                        f"联系电话||{_TEL}",
                    ),
                ),
            ),
        ),
        Column(
            "sgjf",
            "三公经费",
            "disclosure",
            ident=1241,
            date_style="span",
            menu="side",
            items=(_i(5751, "紫阳县二〇一四年度“三公”经费预算公开", "2014-09-12"),),
        ),
        Column(
            "zxzx",
            "网友留言",
            "interaction",
            ident=1240,
            date_style="span",
            items=(
                _i(5744, "关于高中学籍转入的咨询", "2015-12-26", letter=_l("已回复", True, "2015-12-29")),
                _i(5743, "关于新农合报销比例的咨询", "2015-12-08", letter=_l("已办结", True, "2015-12-14")),
                _i(5742, "关于移民搬迁安置房分配的反映", "2015-11-30", letter=_l("办理中", False)),
                _i(5741, "关于茶园道路硬化的建议", "2015-10-20", letter=_l("已答复", True)),
                _i(5740, "关于城区公交线路调整的建议", "2015-06-11", letter=_l("已回复", True, "2015-06-19")),
            ),
        ),
    ),
)

# ---- 3. 安康市国土资源局: lists built by JavaScript, passes ------------------------------------------------
GTJ = Site(
    "gtj",
    "安康市国土资源局",
    "agency",
    "市直",
    "script",
    2,
    site_code="6109000005",
    icp="陕ICP备05011236号",
    about=("安康市国土资源局是市政府工作部门，负责全市土地、矿产等自然资源的规划、管理、保护与合理利用。",),
    notes=(
        "column lists are filled by fetch('/api/list?col=…') (raw list container empty)",
        "one column as var itemObj = [...] in script",
        "the home page's first block is server-rendered",
    ),
    columns=(
        Column(
            "gtdt",
            "国土动态",
            "news",
            render="fetch",
            home_block=True,
            items=(
                _i(701, "市国土资源局召开二〇一五年度党风廉政建设工作总结会", "2015-12-22"),
                _i(700, "全市国土资源执法监察工作推进会召开", "2015-12-15"),
                _i(699, "市国土资源局开展地质灾害隐患点冬季巡查", "2015-12-08"),
            ),
        ),
        Column(
            "tzgg",
            "通知公告",
            "notice",
            render="fetch",
            home_block=True,
            items=(
                _i(711, "安康市国土资源局关于国有建设用地使用权挂牌出让的公告", "2015-12-20"),
                _i(710, "关于开展土地利用总体规划评估工作的通知", "2015-12-04"),
                _i(709, "安康市国土资源局关于采矿权延续登记的公示", "2015-11-16"),
            ),
        ),
        Column(
            "zcfg",
            "政策法规",
            "policy",
            render="itemobj",
            items=(
                _i(721, "陕西省国土资源厅关于进一步规范矿业权出让管理的通知", "2015-12-20"),
                _i(720, "安康市土地征收补偿安置办法", "2015-10-15"),
            ),
        ),
        Column(
            "rsxx",
            "人事信息",
            "personnel",
            render="fetch",
            items=(_i(731, "安康市国土资源局关于干部任职前公示的公告", "2015-07-14"),),
        ),
        Column(
            "xxgknb",
            "信息公开年报",
            "disclosure",
            render="fetch",
            menu="side",
            items=(_i(741, "安康市国土资源局二〇一四年政府信息公开工作年度报告", "2015-03-02"),),
        ),
        Column(
            "bszn",
            "办事指南",
            "guide",
            render="fetch",
            layout="dl",
            items=(
                _i(
                    751,
                    "建设用地审批办事指南",
                    "2015-05-20",
                    guide=_g(
                        "事项名称||建设用地审批",
                        "设定依据|办理依据|《中华人民共和国土地管理法》",
                        "申请条件||符合土地利用总体规划",
                        "办理材料|申报材料|建设用地申请表、项目批准文件",
                        "办理地点|办公地点|市政务服务中心国土窗口",
                        "办理时间|工作时间|法定工作日",
                        "联系电话|联系方式|",
                        "办理流程|办理程序|受理、审查、报批",
                    ),
                ),
            ),
        ),
    ),
)

# ---- 4. 安康市发展和改革委员会: 信息公开 tables under <base href>, a few broken links, passes ---------
FGW = Site(
    "fgw",
    "安康市发展和改革委员会",
    "agency",
    "市直",
    "table",
    3,
    site_code="6109000003",
    icp="陕ICP备05007301号",
    about=(
        "安康市发展和改革委员会是综合研究拟订经济和社会发展政策、进行总量平衡、指导总体经济体制改革的市政府工作部门。",
    ),
    home_links=((DEAD_URL, "陕西省发展和改革委员会"),),
    notes=(
        "table lists 标题/发布机构/发布日期",
        "<base href=http://host/xxgk/> on xxgk list pages",
        "dates 2015年12月18日 and 2015/12/1",
        "broken: article 404, Chinese-named attachment 404, image 404, dead external link",
        "办事指南 with a 表格下载 form that 404s; 主任信箱 with status only on detail pages",
    ),
    columns=(
        Column(
            "xwzx/gzdt",
            "工作动态",
            "news",
            date_style="cn",
            home_block=True,
            items=(
                _i(401, "市发改委召开全市重点项目建设推进会", "2015-12-24"),
                _i(400, "市发改委开展“十三五”规划纲要编制专题调研", "2015-12-18"),
                _i(399, "市发改委组织学习党的十八届五中全会精神", "2015-12-11"),
            ),
        ),
        Column(
            "xxgk/tzgg",
            "通知公告",
            "notice",
            date_style="slash",
            home_block=True,
            items=(
                _i(411, "关于申报二〇一六年中央预算内投资项目的通知", "2015-12-22"),
                _i(
                    410,
                    "关于组织申报省级服务业发展专项资金项目的通知",
                    "2015-12-01",
                    attachments=(
                        ("/uploads/附件/申报表.doc", "申报表.doc"),
                        ("/uploads/附件/申报指南.doc", "申报指南.doc"),
                    ),
                ),
                _i(409, "关于开展价格监督检查工作的通知", "2015-11-20", status=404),
                _i(408, "安康市发展和改革委员会关于重点项目招标情况的公示", "2015-11-13"),
            ),
        ),
        Column(
            "xxgk/zcwj",
            "政策文件",
            "policy",
            date_style="cn",
            items=(
                _i(421, "安康市人民政府关于促进民间投资健康发展的实施意见", "2015-10-28"),
                _i(420, "安康市发展和改革委员会关于规范政府投资项目管理的通知", "2015-08-05"),
            ),
        ),
        Column(
            "xxgk/zcjd",
            "政策解读",
            "policy",
            date_style="slash",
            menu="side",
            items=(_i(431, "《关于促进民间投资健康发展的实施意见》解读", "2015-10-30"),),
        ),
        Column(
            "xxgk/ghjh",
            "规划计划",
            "plan",
            date_style="cn",
            items=(
                _i(
                    441,
                    "安康市二〇一五年国民经济和社会发展计划",
                    "2015-07-07",
                    images=("/images/news/ghtu_2015.jpg",),
                ),
            ),
        ),
        Column(
            "xxgk/rsxx",
            "人事信息",
            "personnel",
            date_style="cn",
            menu="side",
            items=(_i(451, "安康市发展和改革委员会干部任前公示", "2015-09-09"),),
        ),
        Column(
            "xxgk/czyjs",
            "财政预决算",
            "disclosure",
            date_style="slash",
            menu="side",
            items=(
                _i(
                    461,
                    "安康市发展和改革委员会二〇一五年部门预算",
                    "2015-04-21",
                    attachments=(("/uploads/files/2015年度部门预算表.xls", "2015年度部门预算表"),),
                ),
            ),
        ),
        Column(
            "bsfw/bszn",
            "办事指南",
            "guide",
            date_style="cn",
            layout="table",
            items=(
                _i(
                    472,
                    "固定资产投资项目节能审查办事指南",
                    "2015-06-18",
                    guide=_g(
                        "事项名称||固定资产投资项目节能审查",
                        "设定依据||《固定资产投资项目节能评估和审查暂行办法》",
                        "申请条件||年综合能源消费量达到规定标准的项目",
                        "办理材料||节能评估报告书、申请文件",
                        "办理地点||",
                        "办理时间||法定工作日",
                        f"联系电话||{_TEL}",
                    ),
                ),
                _i(
                    471,
                    "企业投资项目备案办事指南",
                    "2015-02-10",
                    guide=_g(
                        "事项名称||企业投资项目备案",
                        "设定依据||《企业投资项目核准和备案管理条例》",
                        "申请条件||不属于核准目录的企业投资项目",
                        "办理材料||项目备案申请表、企业营业执照",
                        "办理地点||市政务服务中心发改窗口",
                        "办理时间||法定工作日",
                        f"联系电话||{_TEL}",
                        "办理流程||受理、审查、备案",
                    ),
                    attachments=(
                        ("/uploads/files/实施方案.pdf", "实施方案.pdf"),
                        ("/uploads/files/企业投资项目备案申请表.doc", "企业投资项目备案申请表.doc"),
                    ),
                ),
            ),
        ),
        Column(
            "hdjl/zrxx",
            "主任信箱",
            "interaction",
            date_style="cn",
            items=(
                _i(481, "关于项目备案办理时限的咨询", "2015-12-21", letter=_l("已回复", True, "2015-12-24")),
                _i(482, "关于价格举报受理渠道的咨询", "2015-09-14", letter=_l("已办结", True, "2015-09-18")),
            ),
        ),
    ),
)

# ---- 5. 宁陕县人民政府: GBK, stale columns, serious typos, vetoed ------------------------------------------
NINGSHAN = Site(
    "ningshan",
    "宁陕县人民政府",
    "county",
    "宁陕县",
    "plain",
    4,
    encoding="gbk",
    site_code="6109230001",
    icp="陕ICP备05002318号",
    about=(
        "宁陕县地处秦岭南麓腹地，东邻镇安县、柞水县，南接石泉县、汉阴县，与西安、汉中相连。",
        "县人民政府驻城关镇。",
    ),
    notes=(
        "GBK bytes, header and <meta charset=gbk>; 镕 (GBK-only) in names",
        "six stale news/notice/policy columns",
        "typos 中华人民共合国 and 扫黑险恶; look-alike traps elsewhere",
        "dates 2015.9.8 and year-less [09-08]",
    ),
    columns=(
        Column(
            "zwyw",
            "政务要闻",
            "news",
            date_style="dot",
            home_block=True,
            items=(
                _i(
                    301,
                    "宁陕县召开学习宣传贯彻宪法座谈会",
                    "2015-09-08",
                    body=("会议指出，要认真学习中华人民共合国宪法，增强全县干部群众的宪法意识。",),
                ),
                _i(
                    300,
                    "宁陕县与洋县、旬阳县开展秦岭生态保护交流",
                    "2015-08-27",
                    body=("来自洋县、旬阳县和山西省、陕西省有关方面的同志参加交流。",),
                ),
                _i(299, "宁陕县召开第二季度经济运行分析会", "2015-08-10"),
            ),
        ),
        Column(
            "bmdt",
            "部门动态",
            "news",
            date_style="bracket",
            items=(
                _i(
                    311,
                    "县林业局开展秦岭生态保护宣传活动",
                    "2015-09-02",
                    body=("活动中，工作人员重温了朱镕基同志当年视察陕西林区时提出的退耕还林政策。",),
                ),
                _i(310, "县交通局开展国道沿线安全隐患排查", "2015-08-18"),
            ),
        ),
        Column(
            "zcdt",
            "镇村动态",
            "news",
            date_style="bracket",
            items=(
                _i(321, "江口镇召开秋季农业生产现场会", "2015-07-21"),
                _i(320, "筒车湾镇开展防汛应急演练", "2015-06-30"),
            ),
        ),
        Column(
            "tzgg",
            "通知公告",
            "notice",
            date_style="dot",
            home_block=True,
            items=(
                _i(
                    331,
                    "宁陕县人民政府关于开展社会治安专项整治的通告",
                    "2015-05-26",
                    body=("全县各镇、各部门要高度重视，深入推进扫黑险恶专项斗争，维护社会稳定。",),
                ),
                _i(330, "宁陕县人民政府关于做好春季森林防火工作的通知", "2015-04-13"),
            ),
        ),
        Column(
            "zcwj",
            "政策文件",
            "policy",
            date_style="dot",
            items=(
                _i(
                    341,
                    "宁陕县人民政府关于加快旅游产业发展的意见",
                    "2015-03-18",
                    body=("依据《中华人民共和国旅游法》，结合我县实际，制定本意见。",),
                ),
            ),
        ),
        Column(
            "zcjd",
            "政策解读",
            "policy",
            date_style="dot",
            menu="side",
            items=(_i(351, "《宁陕县旅游产业发展意见》解读", "2015-01-22"),),
        ),
        Column(
            "rsxx",
            "人事信息",
            "personnel",
            date_style="dot",
            home_block=True,
            items=(
                _i(361, "宁陕县人民政府关于刘镕等同志职务任免的通知", "2015-12-22"),
                _i(360, "宁陕县二〇一五年事业单位公开招聘拟聘人员公示", "2015-11-05"),
            ),
        ),
        Column(
            "bszn",
            "办事指南",
            "guide",
            date_style="bracket",
            layout="lines",
            items=(
                _i(
                    371,
                    "农村危房改造补助申请指南",
                    "2015-03-16",
                    guide=_g(
                        "事项名称||农村危房改造补助",
                        "申请条件||居住在危房中的农村分散供养五保户、低保户、贫困残疾人家庭",
                        "办理材料||申请书、户口簿、危房鉴定意见",
                        "办理地点||户籍所在镇人民政府",
                        f"联系电话||{_TEL}",
                        "办理流程||申请、评议、审核、审批",
                    ),
                ),
            ),
        ),
        Column(
            "aqsc",
            "安全生产",
            "other",
            date_style="dot",
            menu="side",
            items=(_i(381, "宁陕县二〇一五年安全生产工作要点", "2015-04-02"),),
        ),
    ),
)

# ---- 6. 安康市食品药品监督管理局: the notice's worst case, vetoed ------------------------------------------
_SYJ_MISSING_DOC = "/uploads/files/报名表.doc"
SYJ = Site(
    "syj",
    "安康市食品药品监督管理局",
    "agency",
    "市直",
    "plain",
    5,
    site_code="6109000021",
    icp="陕ICP备05013390号",
    about=("安康市食品药品监督管理局负责全市食品、药品、医疗器械和化妆品的监督管理工作。",),
    home_links=(
        (DEAD_URL, "陕西省食品药品监督管理局"),
        ("/zt/2014spaqxcz/index.htm", "食品安全宣传周专题"),
        ("/zt/jdcj2013/index.htm", "二〇一三年监督抽检专题"),
    ),
    home_images=("/images/syj/banner2014.jpg", "/images/syj/zt_spaq.jpg"),
    notes=(
        "six blank columns (empty list, 暂无信息, 暂无数据)",
        "six stale columns",
        "undated 办事指南",
        "unreachable column (500)",
        "more than 15 broken links",
        "no home item within 14 days",
        "政务咨询 letters unanswered for more than 3 months (互动回应差)",
        "办事指南 pages lacking 4 or more elements",
    ),
    columns=(
        Column(
            "gzdt",
            "工作动态",
            "news",
            home_block=True,
            items=(
                _i(9105, "市食药监局召开全市食品药品安全工作推进会", "2015-10-12"),
                _i(9104, "市食药监局开展国庆期间食品安全检查", "2015-10-05", status=404),
                _i(9103, "市食药监局开展学校食堂食品安全专项检查", "2015-09-28"),
                _i(9102, "市食药监局组织开展药品经营企业培训", "2015-09-15", status=404),
                _i(9101, "市食药监局召开党组中心组学习会", "2015-09-01", status=404),
            ),
        ),
        Column(
            "ypyw",
            "药监要闻",
            "news",
            home_block=True,
            items=(
                _i(9112, "全市药品零售企业飞行检查工作部署会召开", "2015-11-20"),
                _i(9111, "市食药监局通报第三季度药品抽检结果", "2015-11-10", status=500),
                _i(9110, "全市医疗器械监管工作会议召开", "2015-11-02"),
            ),
        ),
        Column(
            "xqdt",
            "县区动态",
            "news",
            items=(
                _i(9122, "汉滨区开展农村集体聚餐食品安全指导", "2015-08-19"),
                _i(9121, "平利县开展保健食品专项整治", "2015-08-03", status=404),
                _i(9120, "岚皋县开展春季药品安全检查", "2015-04-21", status=404),
            ),
        ),
        Column(
            "tzgg",
            "通知公告",
            "notice",
            home_block=True,
            items=(
                _i(
                    9131,
                    "关于举办全市食品安全管理人员培训班的通知",
                    "2015-03-10",
                    attachments=((_SYJ_MISSING_DOC, "报名表.doc"),),
                ),
                _i(9130, "关于开展二〇一五年食品生产许可证年度检查的通知", "2015-01-05", status=404),
            ),
        ),
        Column(
            "zcfg",
            "政策法规",
            "policy",
            items=(
                _i(
                    9141,
                    "食品药品监管总局关于进一步加强食品生产监管的通知",
                    "2014-11-25",
                    images=("/images/news/2014/1125.jpg",),
                    external=((DEAD_URL + "spaq/index.html", "原文链接"),),
                ),
            ),
        ),
        Column("zcjd", "政策解读", "policy", blank_text="暂无信息"),
        Column(
            "rsxx",
            "人事信息",
            "personnel",
            items=(_i(9151, "安康市食品药品监督管理局干部任前公示", "2014-06-18"),),
        ),
        Column("ghjh", "规划计划", "plan", menu="side", blank_text="暂无数据"),
        Column("czyjs", "财政预决算", "disclosure", menu="side"),
        Column(
            "bszn",
            "办事指南",
            "guide",
            layout="lines",
            items=(
                _i(
                    9161,
                    "药品经营许可证核发办事指南",
                    None,
                    guide=_g("事项名称||药品经营许可证核发", "办理地点||市政务服务中心", f"联系电话||{_TEL}"),
                ),
                _i(
                    9162,
                    "食品生产许可证核发办事指南",
                    None,
                    guide=_g(
                        "事项名称||食品生产许可证核发",
                        "设定依据||《中华人民共和国食品安全法》",
                        "申请条件||具有与生产食品相适应的场所和设备",
                        "办理材料||申请书、营业执照、生产场所平面图",
                        "办理时间||暂无",
                    ),
                ),
                _i(
                    9163,
                    "医疗器械经营备案办事指南",
                    None,
                    guide=_g(
                        "事项名称||第二类医疗器械经营备案",
                        "设定依据||《医疗器械监督管理条例》",
                        "申请条件||具有与经营规模相适应的经营场所",
                        "办理材料||备案表、营业执照、经营场所证明",
                        "办理地点||市政务服务中心",
                        "办理时间||法定工作日",
                        f"联系电话||{_TEL}",
                    ),
                ),
                _i(9164, "保健食品广告审查办事指南", None, status=404),
            ),
        ),
        Column("bgxz", "表格下载", "guide", menu="side", blank_text="暂无信息"),
        Column("ldxx", "局长信箱", "interaction", blank_text="暂无数据"),
        Column(
            "zwzx",
            "政务咨询",
            "interaction",
            layout="badge",
            items=(
                _i(9174, "咨询保健食品标签标识有关规定", "2015-09-21", letter=_l("已回复", True, "2015-10-08")),
                _i(9173, "咨询食品经营许可证办理时限", "2015-06-15", letter=_l("未回复", False)),
                _i(9172, "咨询药店执业药师配备要求", "2015-05-08", letter=_l("待回复", False)),
                _i(9171, "咨询小作坊登记办法", "2014-10-20", letter=_l("未回复", False)),
            ),
        ),
        Column("zxft", "在线访谈", "interaction", menu="side"),
        Column("jdcj", "监督抽检", "other", status=500),
    ),
)

# ---- 7. 恒口示范区管委会: home page down, vetoed -----------------------------------------------------------
HKQ = Site(
    "hkq",
    "恒口示范区管委会",
    "county",
    "恒口示范区",
    "plain",
    6,
    down=True,
    site_code="6109020002",
    notes=("nothing listens at its address: connection refused",),
)

SITES: tuple[Site, ...] = (XUNYANG, ZIYANG, GTJ, FGW, NINGSHAN, SYJ, HKQ)
__all__ = ["AS_OF", "SITES", "SiteApp", "family_for"]


def family_for(site: Site, netloc: str = "{host}") -> Family:
    return FAMILIES[site.family](site, netloc)


GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


#: The script every page loads. Besides a stand-in for the jQuery plug-ins the lists call, it moves the home page's
#: scrolling news box (``#gdxw``) up a pixel every 30 ms, as the marquee scripts of many county home pages do
#: (``setInterval(Marquee, speed)`` over a box with ``overflow: hidden``): a page that keeps the browser busy for
#: as long as it stays open.
COMMON_JS = (
    b"/* common.js */\nfunction $(s){return {ready:function(f){},jpage:function(o){}};}\n"
    b"window.onload=function(){var box=document.getElementById('gdxw');if(!box){return;}\n"
    b"setInterval(function(){if(box.scrollTop>=box.scrollHeight-box.clientHeight){box.scrollTop=0;}"
    b"else{box.scrollTop++;}},30);};\n"
)


def file_body(path: str, ctype: str) -> bytes:
    """The body of a static file or attachment of the demo web (the bench web serves the same ones)."""
    if ctype.startswith("image/"):
        return GIF
    if ctype.startswith("text/css"):
        return b"body{font-family:SimSun,serif;font-size:12px}.list li span{float:right}\n"
    if "javascript" in ctype:
        return COMMON_JS
    return f"DEMO ATTACHMENT {path}\n".encode()


class SiteApp:
    """All responses of one live site, rendered once for its real ``host:port``."""

    def __init__(self, site: Site, netloc: str) -> None:
        self.site = site
        self.family = family_for(site, netloc)
        ctype = f"text/html; charset={'GBK' if site.encoding == 'gbk' else 'utf-8'}"
        self.html_type = ctype
        self.pages: dict[str, Page] = {
            path: Page(status, ctype, html.encode(site.encoding))
            for path, (status, html) in self.family.html_pages().items()
        }
        for path, ftype in FILES.items():
            self.pages[path] = Page(200, ftype, file_body(path, ftype))
        self.not_found = Page(
            404, ctype, error_page(404).replace("utf-8", self.family.charset_meta()).encode(site.encoding)
        )

    def handle(self, target: str, form: str = "") -> Page:
        """The response to a request target (path plus query)."""
        parts = urlsplit(target)
        path = unquote(parts.path or "/", encoding="utf-8", errors="replace")
        for candidate in (path, path + "index.html" if path.endswith("/") else ""):
            if candidate and candidate in self.pages:
                return self.pages[candidate]
        return self.family.dynamic(path, parts.query, form) or self.not_found


def check_site_data() -> None:
    """Invariants of the site data (run by the tests)."""
    for site in SITES:
        idents = [it.ident for c in site.columns for it in c.all_items()]
        assert len(idents) == len(set(idents)), site.site_id
        for col in site.columns:
            for it in col.all_items():
                assert it.day is None or it.day <= AS_OF
