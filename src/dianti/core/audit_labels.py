"""What each audit action is called in the audit log: the code stays in the record and the filter, the reader sees
the Chinese name (an action without a name here is shown as its code)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

LABELS: dict[str, Promise] = {
    "login": _("登录"), "logout": _("退出登录"), "login.failed": _("登录失败"), "login.locked": _("账号锁定"),
    "password.change": _("修改密码"), "token.create": _("创建接口令牌"), "token.revoke": _("吊销接口令牌"),
    "user.create": _("创建账号"), "user.privilege": _("调整账号权限"), "role.grant": _("授予角色"),
    "role.revoke": _("收回角色"), "demo.load": _("载入演示数据"), "event.retry": _("重试失败的事件"),
    "export.download": _("下载导出文件"), "outbound.resend": _("重新发送外发消息"),
    "org.create": _("新建组织"), "org.update": _("修改组织"), "org.import": _("导入组织"),
    "person.create": _("新建人员"), "person.update": _("修改人员"), "person.import": _("导入人员"),
    "person.channel_set": _("登记通知渠道"), "person.channel_verify": _("核实通知渠道"),
    "person.channel_opt_out": _("退订通知渠道"), "person.channel_opt_in": _("恢复通知渠道"),
    "membership.add": _("任职"), "membership.remove": _("免职"), "point.create": _("新建民情直报点"),
    "campaign.create": _("新建述职活动"), "campaign.update": _("修改述职活动"), "campaign.phase": _("推进阶段"),
    "campaign.list_submit": _("报送述职名单"), "campaign.list_approve": _("审批述职名单"),
    "campaign.list_return": _("退回述职名单"), "heat_scheme.set": _("设定呼声热度权重"),
    "voices.phone_codes": _("开启或关闭手机短信验证"),
    "subject.choose": _("点名述职对象"), "subject.remove": _("移出述职对象"), "subject.topic": _("确定述职题目"),
    "subject.update": _("修改述职对象"), "subject.outcome": _("确定评议结果"),
    "responsibility.add": _("新增责任事项"), "responsibility.import": _("导入责任事项"), "project.add": _("新增项目"),
    "opinion.submit": _("群众提交意见"), "opinion.record": _("录入线下意见"), "opinion.import": _("导入意见"),
    "opinion.hide": _("隐藏意见"), "opinion.unhide": _("恢复意见"), "opinion.duplicate": _("标记重复意见"),
    "opinion.label": _("标注意见"), "opinion.move": _("转交意见"), "opinion.topic": _("意见归入话题"),
    "topic.merge": _("合并话题"), "topic.rename": _("话题改名"), "topic.split": _("拆分话题"),
    "topic.gather_place": _("按地点归并话题"),
    "meeting.schedule": _("安排述职会"), "meeting.codes": _("发放评议码"), "meeting.open": _("开始投票"),
    "meeting.close": _("结束投票"), "meeting.report": _("上传述职报告"), "meeting.attendance": _("登记签到"),
    "meeting.paper_resolve": _("处理纸质选票"), "meeting.paper_scan": _("上传选票扫描件"),
    "meeting.paper_scan_discard": _("作废选票扫描件"), "meeting.rehearsal_start": _("开始模拟测评"),
    "meeting.rehearsal_wipe": _("清除模拟测评"), "question.answer": _("回答现场提问"),
    "question.approve": _("通过现场提问"), "question.hide": _("隐藏现场提问"),
    "appraisal.compute": _("计算评议结果"), "appraisal.recompute": _("重新计算评议结果"),
    "appraisal.submit": _("报送评议结果"), "appraisal.return": _("退回评议结果"),
    "appraisal.publish": _("公布评议结果"), "appraisal.withdraw": _("撤回评议结果"),
    "appraisal.results_submit": _("报送评议结果"), "appraisal.results_return": _("退回评议结果"),
    "appraisal.results_publish": _("公布评议结果"), "appraisal.results_withdraw": _("撤回评议结果"),
    "appraisal.proposal_decide": _("处置建议"), "appraisal.stars_confirm": _("确认星级"),
    "proposal.confirmed": _("确认处置建议"), "proposal.dismissed": _("不采纳处置建议"), "scheme.save": _("保存评分方案"),
    "assessment.compute": _("计算年度考核"), "assessment.confirm": _("确认年度考核"),
    "assessment.import": _("导入其他考核得分"),
    "rectification.open": _("立项整改"), "rectification.issue": _("下发整改通知单"),
    "rectification.commit": _("提交整改承诺"), "rectification.approve": _("审核通过"),
    "rectification.reject": _("审核不通过"), "rectification.return": _("退回修改"),
    "rectification.edit": _("修改整改事项"), "rectification.progress": _("报告整改进展"),
    "rectification.submit": _("申请验收"), "rectification.close": _("验收销号"), "rectification.reopen": _("重新整改"),
    "rectification.extend": _("延长整改期限"), "rectification.overdue": _("整改逾期"),
    "rectification.carry_over": _("整改转下年度"), "rectification.supervise": _("督办"),
    "rectification.observe": _("群众评价整改"), "rectification.withdraw": _("撤回整改"),
}


def action_label(code: str) -> str:
    """Return the Chinese name of audit action ``code``, or the code itself when it has none."""
    label = LABELS.get(code)
    return str(label) if label is not None else code
