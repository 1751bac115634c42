"""The words of the validation pages (upload, progress, runs, reports, records, compliance), in
Chinese and English, registered with ``i18n`` when this module is imported.

Kept apart from the page code so that a translator finds every phrase in one place; a phrase with
``{name}`` placeholders is filled in with ``str.format`` by the template. Severity names follow the
force of the obligation's text (README "Checking records"): 必须/不得 → 违规 (Violation), 要/应当 →
警告 (Warning).
"""

from __future__ import annotations

from .i18n import register

WORDS = {
    # severities
    "severity.Violation": {"zh": "违规", "en": "Violation"},
    "severity.Warning": {"zh": "警告", "en": "Warning"},
    "severity.Info": {"zh": "提示", "en": "Info"},
    # the upload form
    "validate.title": {"zh": "上传记录并校验", "en": "Check records"},
    "validate.intro": {"zh": "上传本单位的履责记录（谈话、会议、决策……），系统依据职责形状（SHACL）逐项校验，并保留每次校验结果。",
                       "en": "Upload your institution's records (talks, meetings, decisions…); they are checked against "
                             "the duty shapes (SHACL) and every run is kept."},
    "validate.files": {"zh": "记录文件", "en": "Record files"},
    "validate.files_help": {"zh": "可选多个文件；格式按扩展名识别。", "en": "Choose one or more files; the format is told by the extension."},
    "validate.drop_help": {"zh": "也可以把文件拖放到此处。", "en": "You can also drop files here."},
    "validate.institution": {"zh": "单位情况文件（可选）", "en": "Institution file (optional)"},
    "validate.institution_help": {"zh": "机构、党组织、岗位、人员与任职；不提供且记录中也没有时，使用示例单位。",
                                  "en": "Units, Party organisations, posts, people and tenures; when neither this nor "
                                        "the records describe one, the example institution is used."},
    "validate.label": {"zh": "标签", "en": "Label"},
    "validate.label_placeholder": {"zh": "例如：2024年度 机械工程学院", "en": "e.g. 2024, School of Mechanical Engineering"},
    "validate.year": {"zh": "年度（可选）", "en": "Year (optional)"},
    "validate.year_help": {"zh": "不填则校验记录中出现的每个年度。", "en": "Empty: every year the records are dated in."},
    "validate.limits": {"zh": "上传总大小不超过 {mib} MiB；一次校验最长 {seconds} 秒。",
                        "en": "At most {mib} MiB in all; a check may take up to {seconds} s."},
    "validate.submit": {"zh": "上传并校验", "en": "Upload and check"},
    "validate.formats": {"zh": "可读取的格式", "en": "Formats read"},
    "validate.extension": {"zh": "扩展名", "en": "Extension"},
    "validate.format": {"zh": "格式", "en": "Format"},
    "validate.csv_rule": {"zh": "CSV 文件按文件名识别所用模板：文件名为“模板名.csv”，或以“_模板名.csv”结尾（如 2024_talks.csv）。模板：",
                          "en": "A CSV file follows the template its name ends with: TEMPLATE.csv, or …_TEMPLATE.csv "
                                "(e.g. 2024_talks.csv). The templates:"},
    "validate.nothing_fetched": {"zh": "上传的文件不会触发任何外部获取：远程 JSON-LD 上下文与 RDF/XML 实体声明一律拒绝。",
                                 "en": "Nothing an upload names is ever fetched: remote JSON-LD contexts and RDF/XML "
                                       "entity declarations are refused."},
    "validate.error_title": {"zh": "未能校验", "en": "The records were not checked"},
    "validate.error_400": {"zh": "记录有误，未保存任何内容。请按以下提示（文件、行、列）修改后重新上传。",
                           "en": "The records are not right, and nothing was kept. Correct what the message says "
                                 "(file, row, column) and upload again."},
    "validate.error_403": {"zh": "该表单不是从本站页面提交的，或已过期。", "en": "The form was not sent from this site's page, or it had expired."},
    "validate.error_413": {"zh": "上传内容超过大小限制，未保存任何内容。", "en": "The upload is larger than the limit; nothing was kept."},
    "validate.error_415": {"zh": "无法读取该类型的内容。", "en": "That kind of content cannot be read."},
    "validate.error_503": {"zh": "同时进行的校验过多，请稍后再试。", "en": "Too many checks are running; try again in a moment."},
    "validate.error_504": {"zh": "校验超过时间限制，已停止，未保存任何内容。",
                           "en": "The check took longer than the time limit and was stopped; nothing was kept."},
    "validate.error_other": {"zh": "校验失败，未保存任何内容。", "en": "The check failed; nothing was kept."},
    "validate.back": {"zh": "返回", "en": "Back"},
    # what validate.js says
    "validate.js.unknown": {"zh": "无法识别的文件类型", "en": "unknown file type"},
    "validate.js.csv_no_template": {"zh": "CSV：文件名未对应任何模板", "en": "CSV: the name follows no template"},
    "validate.js.csv_template": {"zh": "CSV 模板", "en": "CSV template"},
    "validate.js.uploading": {"zh": "正在上传……", "en": "Uploading…"},
    "validate.js.queued": {"zh": "已接收，等待校验……", "en": "Received, waiting…"},
    "validate.js.validating": {"zh": "正在校验……", "en": "Checking…"},
    "validate.js.storing": {"zh": "正在保存校验结果……", "en": "Keeping the run…"},
    "validate.js.done": {"zh": "完成，正在打开报告……", "en": "Done, opening the report…"},
    "validate.js.failed": {"zh": "校验失败", "en": "The check failed"},
    "validate.js.busy": {"zh": "服务器繁忙，请稍后再试。", "en": "The service is busy; try again shortly."},
    "validate.js.network": {"zh": "网络中断，上传未完成。", "en": "The connection was lost; the upload did not finish."},
    "validate.js.remove": {"zh": "移除", "en": "remove"},
    "validate.js.no_files": {"zh": "请至少选择一个记录文件。", "en": "Choose at least one record file."},
    "validate.js.unknown_blocks": {"zh": "有无法识别的文件，请移除后再上传。", "en": "Remove the files that cannot be read, then upload."},
    # the list of runs
    "runs.title": {"zh": "已保存的校验", "en": "Kept runs"},
    "runs.upload": {"zh": "上传新记录", "en": "Upload records"},
    "runs.date": {"zh": "时间（UTC）", "en": "Time (UTC)"},
    "runs.label": {"zh": "标签", "en": "Label"},
    "runs.conforms": {"zh": "全部履职", "en": "All met"},
    "runs.yes": {"zh": "是", "en": "yes"},
    "runs.no": {"zh": "否", "en": "no"},
    "runs.none": {"zh": "还没有可查看的校验。", "en": "No runs that you may read yet."},
    "runs.times_utc": {"zh": "时间均为协调世界时（UTC）。", "en": "Times are UTC."},
    # one run
    "run.title": {"zh": "校验", "en": "Validation run"},
    "run.conforms": {"zh": "所校验的各项职责均已履行。", "en": "Every duty checked was met."},
    "run.counts": {"zh": "违规 {violations} 项，警告 {warnings} 项，提示 {infos} 项。",
                   "en": "{violations} violation(s), {warnings} warning(s), {infos} note(s)."},
    "run.uploaded_by": {"zh": "上传者", "en": "Uploaded by"},
    "run.time": {"zh": "时间", "en": "Time"},
    "run.years": {"zh": "年度", "en": "Years"},
    "run.records": {"zh": "记录", "en": "Records"},
    "run.triples": {"zh": "{n} 条三元组", "en": "{n} triples"},
    "run.files": {"zh": "文件", "en": "Files"},
    "run.file_facts": {"zh": "{size} 字节，{triples} 条三元组", "en": "{size} bytes, {triples} triples"},
    "run.institution_file": {"zh": "单位情况", "en": "institution"},
    "run.engine": {"zh": "校验引擎", "en": "Engine"},
    "run.download": {"zh": "下载", "en": "Download"},
    "run.report_turtle": {"zh": "报告（Turtle）", "en": "report (Turtle)"},
    "run.records_turtle": {"zh": "记录（Turtle）", "en": "records (Turtle)"},
    "run.views": {"zh": "报告视图", "en": "Report views"},
    "run.none": {"zh": "没有发现问题。", "en": "No results."},
    "run.delete": {"zh": "删除此次校验……", "en": "Delete this run…"},
    "run.delete_confirm": {"zh": "将删除此次校验的记录、报告及说明，且无法恢复。确定删除吗？",
                           "en": "This deletes the run's records, report and description for good. Delete it?"},
    "run.delete_button": {"zh": "确定删除", "en": "Delete for good"},
    "run.not_found": {"zh": "没有这次校验", "en": "No such run"},
    "run.not_found_help": {"zh": "该校验不存在，或您无权查看（校验仅上传者与管理员可见）。",
                           "en": "It does not exist, or you may not read it (a run is read by its uploader and by admins)."},
    # a report's results
    "report.by_unit": {"zh": "按责任单位", "en": "By accountable unit"},
    "report.by_measure": {"zh": "按工作措施", "en": "By measure"},
    "report.item": {"zh": "主要内容", "en": "Item"},
    "report.measure_n": {"zh": "措施 {n}", "en": "Measure {n}"},
    "report.period": {"zh": "年度", "en": "Year"},
    "report.record": {"zh": "相关记录", "en": "Record"},
    "report.value": {"zh": "值", "en": "Value"},
    "report.units": {"zh": "责任单位", "en": "Accountable units"},
    "report.also_units": {"zh": "共同责任单位", "en": "Also owed by"},
    "report.list_sep": {"zh": "、", "en": ", "},
    # one record
    "record.title": {"zh": "记录", "en": "Record"},
    "record.results": {"zh": "涉及此记录的校验结果", "en": "Results on this record"},
    "record.about": {"zh": "本次上传中关于它的陈述", "en": "What the run's records state about it"},
    "record.referring": {"zh": "引用它的记录", "en": "Records that refer to it"},
    "record.subject": {"zh": "记录", "en": "Record"},
    "record.predicate": {"zh": "属性", "en": "Property"},
    "record.object": {"zh": "值", "en": "Value"},
    "record.nothing_about": {"zh": "本次上传的记录中没有关于它的陈述。", "en": "The run's records state nothing about it."},
    "record.nothing_referring": {"zh": "没有记录引用它。", "en": "No record refers to it."},
    "record.institution": {"zh": "示例单位中的描述", "en": "In the example institution"},
    "record.institution_note": {"zh": "本次校验未提供单位情况，依据的是虚构的示例单位（data/institution/example-institution.ttl），它不属于上传内容。",
                                "en": "This run gave no institution, so it was checked against the synthetic example "
                                      "institution (data/institution/example-institution.ttl), which is not part of the upload."},
    "record.nothing_institution": {"zh": "示例单位中也没有关于它的陈述。", "en": "The example institution states nothing about it either."},
    "record.uploaded_institution_note": {"zh": "它可能是上传的单位情况中的机构、岗位或人员；单位情况文件只保留文件名和摘要，不保留内容。",
                                         "en": "It may be a unit, post or person of the uploaded institution, whose "
                                               "file is kept only by name and digest, not its content."},
    "record.truncated": {"zh": "陈述过多，仅显示前一部分；完整内容请下载记录。",
                         "en": "There are too many statements to show them all; download the records for every one."},
    # the compliance overview
    "compliance.title": {"zh": "履责情况总览", "en": "Compliance overview"},
    "compliance.intro": {"zh": "您可查看的 {runs} 次校验的结果汇总。", "en": "The results of the {runs} run(s) you may read, together."},
    "compliance.choose_runs": {"zh": "选择纳入的校验", "en": "Choose the runs"},
    "compliance.apply": {"zh": "应用", "en": "Apply"},
    "compliance.all_runs": {"zh": "全部校验", "en": "All runs"},
    "compliance.matrix": {"zh": "责任单位 × 工作措施", "en": "Units × measures"},
    "compliance.matrix_help": {"zh": "每格为该单位在该措施下的问题数，颜色表示其中最严重的等级；点击数字查看明细。",
                               "en": "Each cell counts the unit's results under the measure, coloured by the worst "
                                     "severity among them; follow a number to its results."},
    "compliance.checked_ok": {"zh": "已校验，无问题", "en": "checked, none found"},
    "compliance.not_checked": {"zh": "无职责形状校验", "en": "no duty shape checks it"},
    "compliance.unit": {"zh": "责任单位", "en": "Unit"},
    "compliance.total": {"zh": "合计", "en": "Total"},
    "compliance.double_count": {"zh": "一项结果由两个单位共同负责时，在两行中各计一次，合计中只计一次；同一年度在多次校验中出现时各次分别计数。",
                                "en": "A result owed by two units counts in both rows, once in the totals; a year "
                                      "checked in several runs counts in each."},
    "compliance.unchecked_units": {"zh": "以下单位的职责目前没有职责形状校验（记录无法显示），故未列入上表：",
                                   "en": "No duty shape checks the duties of these units (records cannot show them), so "
                                         "they have no row:"},
    "compliance.years": {"zh": "各年度结果", "en": "Results over the years"},
    "compliance.year": {"zh": "年度", "en": "Year"},
    "compliance.no_year": {"zh": "无年度", "en": "no year"},
    "compliance.filtered": {"zh": "按下方条件筛选", "en": "filtered as below"},
    "compliance.results": {"zh": "结果明细", "en": "Results"},
    "compliance.showing": {"zh": "筛选条件：", "en": "Showing:"},
    "compliance.clear": {"zh": "清除筛选", "en": "clear"},
    "compliance.result_count": {"zh": "共 {n} 项。", "en": "{n} result(s)."},
    "compliance.pick_cell": {"zh": "点击上表中的数字或年度，查看对应的结果明细。",
                             "en": "Follow a number of the matrix or a year to list its results."},
}

register(WORDS)
