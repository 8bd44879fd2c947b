"""The UI in a real browser: headless Chromium against `python app.py` (see conftest.py).

Each test loads the page afresh (a new Gradio session), asks through the text box as a user
would, and asserts on the DOM; screenshots go to tests/ui/screenshots/ (git-ignored)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from tests.ui.conftest import ADMIN_TOKEN, SCREENSHOTS
from ui import chat as ui_chat

pytestmark = pytest.mark.browser

ZS = "中山市推行首席质量官制度由哪些部门负责?"
BOT = "#zc-chat [data-testid='bot']"
USER = "#zc-chat [data-testid='user']"


# ------------------------------------------------------------------ helpers
def wait_for(driver: WebDriver, condition: Any, timeout: float = 90, what: str = "") -> Any:
    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(lambda d: condition(d), message=what)


def open_page(driver: WebDriver, url: str) -> None:
    driver.get(url + "/")
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#zc-question textarea"), what="the question box")
    wait_for(driver, lambda d: "索引已就绪" in d.find_element(By.TAG_NAME, "body").text, what="the index is ready")


def answered(driver: WebDriver) -> list[WebElement]:
    """The bot messages that are complete (an answer carries its sources block once it is final)."""
    return [b for b in driver.find_elements(By.CSS_SELECTOR, BOT)
            if b.find_elements(By.CSS_SELECTOR, ".zc-answer-sources")]


def ask(driver: WebDriver, question: str) -> WebElement:
    """Types the question, presses Enter, waits for the complete answer, returns its message."""
    before = len(answered(driver))
    box = driver.find_element(By.CSS_SELECTOR, "#zc-question textarea")
    box.click()
    box.send_keys(question)
    box.send_keys(Keys.ENTER)
    wait_for(driver, lambda d: len(answered(d)) == before + 1, what=f"an answer to {question!r}")
    wait_for(driver, lambda d: "正在" not in hint(d), what="the hint to settle")
    return answered(driver)[-1]


def hint(driver: WebDriver) -> str:
    return driver.find_element(By.ID, "zc-hint").text.strip()


def cities_of(message: WebElement) -> list[str]:
    return [m.text.split(" · ")[0] for m in message.find_elements(By.CSS_SELECTOR, ".zc-cite .zc-meta")]


def pick_city(driver: WebDriver, city: str) -> None:
    driver.find_element(By.CSS_SELECTOR, "#zc-cities input").click()
    option = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, f"#zc-cities li[aria-label='{city}']"),
                      what=f"the option {city}")[0]
    option.click()
    driver.find_element(By.TAG_NAME, "h2").click()          # close the list
    wait_for(driver, lambda d: selected_cities(d) == [city], what=f"{city} selected")


def selected_cities(driver: WebDriver) -> list[str]:
    return [t.text.strip() for t in driver.find_elements(By.CSS_SELECTOR, "#zc-cities .token") if t.text.strip()]


def shot(driver: WebDriver, name: str) -> None:
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def fetched(driver: WebDriver) -> list[str]:
    return driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")


def no_alert(driver: WebDriver) -> bool:
    try:
        driver.switch_to.alert
    except NoAlertPresentException:
        return True
    return False


def assert_initial_state(driver: WebDriver) -> None:
    wait_for(driver, lambda d: not d.find_elements(By.CSS_SELECTOR, f"{BOT}, {USER}"), 30, "an empty chat")
    wait_for(driver, lambda d: hint(d) == ui_chat.HINT, 30, "the initial hint")
    assert selected_cities(driver) == []
    assert driver.find_element(By.CSS_SELECTOR, "#zc-question textarea").get_attribute("value") == ""
    assert not driver.find_elements(By.CSS_SELECTOR, "#zc-chat .zc-cite")


# ------------------------------------------------------------------ tests
def test_answer_keeps_its_sources_after_a_follow_up(server, driver):
    open_page(driver, server)
    assert driver.execute_script("return document.documentElement.lang") == "zh-CN"
    first = ask(driver, ZS)
    assert cities_of(first) == ["中山"]
    assert first.find_elements(By.CSS_SELECTOR, ".zc-cite mark")               # the quote is marked
    links = first.find_elements(By.CSS_SELECTOR, "a.zc-ref")
    assert [a.text for a in links] == ["[1]", "[2]"]
    for a in links:                                                           # each marker points into this message
        target = a.get_attribute("href").split("#", 1)[1]
        assert first.find_elements(By.ID, target)
    shot(driver, "01-answer")

    second = ask(driver, "那东莞呢?")
    first, second = answered(driver)
    assert cities_of(second) == ["东莞"] and cities_of(first) == ["中山"]      # both keep their own sources
    ids = [a.get_attribute("href").split("#", 1)[1] for a in driver.find_elements(By.CSS_SELECTOR, "#zc-chat a.zc-ref")]
    assert len(ids) == len(set(ids)) == 4
    for a in second.find_elements(By.CSS_SELECTOR, "a.zc-ref"):
        assert second.find_elements(By.ID, a.get_attribute("href").split("#", 1)[1])

    # Clicking the first answer's [1] brings its clause back into view, even after collapsing it.
    first.find_element(By.CSS_SELECTOR, "details.zc-sources > summary").click()
    assert first.find_element(By.CSS_SELECTOR, "details.zc-sources").get_attribute("open") is None
    first.find_element(By.CSS_SELECTOR, "a.zc-ref").click()
    card = first.find_element(By.CSS_SELECTOR, ".zc-cite")
    wait_for(driver, lambda d: card.is_displayed(), 10, "the clause to open")
    wait_for(driver, lambda d: d.execute_script(
        "const r = arguments[0].getBoundingClientRect(), c = document.querySelector('#zc-chat [role=log]')"
        ".getBoundingClientRect(); return r.top < c.bottom && r.bottom > c.top;", card), 10, "the clause in view")
    shot(driver, "02-follow-up")


def test_a_question_the_documents_do_not_cover_is_declined(server, driver):
    open_page(driver, server)
    reply = ask(driver, "深圳市对获得中国质量奖的企业奖励多少钱?")
    assert "没有深圳市的政策文件" in reply.text
    assert not reply.find_elements(By.CSS_SELECTOR, ".zc-cite, a.zc-ref")
    assert "没有引用条款。" in reply.text and hint(driver) == "本次回答没有引用条款。"
    shot(driver, "03-declined")


def test_city_filter_and_both_clear_controls(server, driver):
    open_page(driver, server)
    pick_city(driver, "东莞")
    reply = ask(driver, "首席质量官制度由哪些部门负责?")
    assert cities_of(reply) and set(cities_of(reply)) == {"东莞"}
    shot(driver, "04-city-filter")

    driver.find_element(By.ID, "zc-clear").click()                            # the 清空对话 button
    assert_initial_state(driver)

    pick_city(driver, "中山")
    ask(driver, ZS)
    driver.find_element(By.CSS_SELECTOR, "#zc-question textarea").send_keys("半句")
    [trash] = driver.find_elements(By.CSS_SELECTOR, "#zc-chat .top-panel button")   # Gradio's own trash icon
    trash.click()
    assert_initial_state(driver)
    shot(driver, "05-cleared")

    # Nothing of the cleared conversation carries over: a follow-up has no earlier city to lean on.
    reply = ask(driver, ZS)
    assert len(answered(driver)) == 1 and cities_of(reply) == ["中山"]


def test_html_in_a_question_is_shown_as_text_and_ignored_for_answering(server, driver):
    open_page(driver, server)
    plain = ask(driver, ZS).text
    driver.find_element(By.ID, "zc-clear").click()
    assert_initial_state(driver)

    typed = f"<img src=x onerror=alert(1)>![p](/pixel.png){ZS}"
    reply = ask(driver, typed)
    user = driver.find_elements(By.CSS_SELECTOR, USER)[-1]
    assert user.text.strip() == typed                                        # literally as typed
    assert not driver.find_elements(By.CSS_SELECTOR, "#zc-chat img")          # no image element from the text
    assert not [u for u in fetched(driver) if u.endswith("/x") or u.endswith("/pixel.png")]
    assert no_alert(driver)
    assert reply.text == plain                                               # answered as the plain question
    shot(driver, "06-html-question")


def test_phone_sources_visible_without_scrolling_past_the_examples(server, driver):
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
    try:
        open_page(driver, server)
        assert driver.execute_script("return window.innerWidth") == 390
        reply = ask(driver, ZS)
        wait_for(driver, lambda d: d.execute_script(                          # the chat shows the new question first
            "const u = [...document.querySelectorAll('#zc-chat [data-testid=user]')].pop().getBoundingClientRect();"
            "const c = document.querySelector('#zc-chat [role=log]').getBoundingClientRect();"
            "return Math.abs(u.top - c.top) < 40;"), 10, "the chat scrolled to the latest question")
        geometry = driver.execute_script(
            """
            const card = arguments[0].querySelector('.zc-cite').getBoundingClientRect();
            const chat = document.querySelector('#zc-chat [role=log]').getBoundingClientRect();
            const examples = document.querySelector('#zc-examples').getBoundingClientRect();
            return {top: Math.max(card.top, chat.top, 0), bottom: Math.min(card.bottom, chat.bottom, innerHeight),
                    examples: examples.top, scrolled: window.scrollY};
            """, reply)
        shot(driver, "07-phone")
        assert geometry["scrolled"] == 0
        assert geometry["bottom"] - geometry["top"] > 60, geometry           # a good part of the clause is on screen
        assert geometry["examples"] > geometry["bottom"], geometry           # and the examples come after it
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


# ------------------------------------------------------------------ the admin section
FOSHAN_TITLE = "佛山市质量强市实施方案"
FOSHAN = f"""{FOSHAN_TITLE}

一、总体要求
到2025年，佛山市制造业产品质量合格率稳定在95%以上，培育一批具有国际竞争力的佛山质量品牌。

二、主要任务
（一）推行首席质量官制度。支持规模以上工业企业设立首席质量官，建立首席质量官培训和交流机制。（责任单位：佛山市市场监管局、工业和信息化局）
（二）开展陶瓷产品质量提升行动。组织陶瓷、家具企业对标国际先进标准，推动质量比对。（责任单位：佛山市市场监管局、商务局）

三、保障措施
加强组织领导，将质量工作纳入各区政府绩效考核。（责任单位：佛山市质量强市工作领导小组办公室）
"""


def admin_message(driver: WebDriver) -> str:
    return driver.find_element(By.ID, "zc-admin-message").text.strip()


def admin_docs(driver: WebDriver) -> str:
    return driver.find_element(By.ID, "zc-admin-docs").text


def show_admin(driver: WebDriver) -> None:
    driver.execute_script("document.getElementById('zc-admin-docs').scrollIntoView({block: 'end'})")


def set_token(driver: WebDriver, token: str) -> None:
    box = driver.find_element(By.CSS_SELECTOR, "#zc-admin-token input")
    box.clear()
    box.send_keys(token)


def test_admin_uploads_a_document_asks_about_it_and_removes_it(server, driver, tmp_path):
    plan = tmp_path / f"{FOSHAN_TITLE}.txt"
    plan.write_text(FOSHAN, encoding="utf-8")
    open_page(driver, server)
    driver.set_window_size(1280, 1000)
    assert not [e for e in driver.find_elements(By.CSS_SELECTOR, "#zc-admin-token") if e.is_displayed()]  # collapsed
    driver.execute_script("document.getElementById('zc-admin').scrollIntoView({block: 'end'})")
    shot(driver, "09-admin-collapsed")
    driver.find_element(By.XPATH, "//*[@id='zc-admin']//button[contains(., '管理文件')]").click()
    wait_for(driver, lambda d: d.find_element(By.CSS_SELECTOR, "#zc-admin-token input").is_displayed(), 10, "the section")

    # a wrong token: a clear message, nothing uploaded, the chosen file kept for a retry
    set_token(driver, "not-the-token")
    driver.find_element(By.CSS_SELECTOR, "#zc-admin-file input[type='file']").send_keys(str(plan))
    wait_for(driver, lambda d: FOSHAN_TITLE in d.find_element(By.ID, "zc-admin-file").text, 30, "the chosen file")
    driver.find_element(By.ID, "zc-admin-upload").click()
    wait_for(driver, lambda d: "管理令牌不正确" in admin_message(d), 30, "the wrong-token message")
    assert "upload_" not in admin_docs(driver) and FOSHAN_TITLE in driver.find_element(By.ID, "zc-admin-file").text
    show_admin(driver)
    shot(driver, "10-admin-wrong-token")

    # the right token: uploaded, indexed in the background, the list follows by itself
    set_token(driver, ADMIN_TOKEN)
    driver.find_element(By.ID, "zc-admin-upload").click()
    wait_for(driver, lambda d: "已上传" in admin_message(d), 30, "the upload to be accepted")
    assert "条条款" in admin_message(driver)
    wait_for(driver, lambda d: "已索引" in admin_docs(d) and FOSHAN_TITLE in admin_docs(d), 240, "the document indexed")
    assert "索引已就绪" in admin_docs(driver) and "佛山" in admin_docs(driver)
    show_admin(driver)
    shot(driver, "11-admin-indexed")

    # the chat answers from it, citing it; the city filter offers the new city
    pick_city(driver, "佛山")
    reply = ask(driver, "佛山市推行首席质量官制度由哪些部门负责?")
    assert "佛山" in cities_of(reply), reply.text
    assert FOSHAN_TITLE in reply.text and "市场监管局" in reply.text
    driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", driver.find_elements(By.CSS_SELECTOR, USER)[-1])
    shot(driver, "12-admin-answer-from-upload")

    # the self-check over the index, the upload included: a rate per kind of question
    driver.find_element(By.ID, "zc-admin-selfcheck-run").click()
    table = wait_for(driver, lambda d: d.find_elements(By.ID, "zc-selfcheck-table"), 240, "the self-check's table")[0]
    assert "单位职责(原文名称)" in table.text and "%" in table.text
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", table)
    shot(driver, "12b-admin-selfcheck")

    # removed: gone from the list once the index is rebuilt
    driver.find_element(By.CSS_SELECTOR, "#zc-admin-remove-choice input").click()
    option = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#zc-admin-remove-choice li[aria-label*='upload_']"),
                      10, "the document among those to remove")[0]
    option.click()
    driver.find_element(By.ID, "zc-admin-remove").click()
    wait_for(driver, lambda d: "已移除" in admin_message(d), 30, "the removal to be accepted")
    wait_for(driver, lambda d: "还没有上传的文件" in admin_docs(d) and "索引已就绪" in admin_docs(d), 240,
             "the document gone from the index")
    show_admin(driver)
    shot(driver, "13-admin-removed")
    wait_for(driver, lambda d: selected_cities(d) == [], 10, "佛山 unselected once gone from the index")
    reply = ask(driver, "佛山市推行首席质量官制度由哪些部门负责?")
    assert "佛山" not in cities_of(reply)


# ------------------------------------------------------------------ the tool tabs
def open_tab(driver: WebDriver, url: str, name: str, ready: str) -> None:
    """A fresh page, the tab named `name` selected, its element `ready` shown."""
    open_page(driver, url)
    driver.find_element(By.XPATH, f"//*[@id='zc-tabs']//button[@role='tab'][normalize-space()='{name}']").click()
    wait_for(driver, lambda d: d.find_element(By.CSS_SELECTOR, ready).is_displayed(), 30, f"the {name} tab")


def download(driver: WebDriver, link_css: str, folder: Path) -> Path:
    """Clicks the download link as a user would; returns the file Chromium saved."""
    folder.mkdir(parents=True, exist_ok=True)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(folder)})
    link = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, link_css), 60, f"the link {link_css}")[0]
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
    link.click()
    done = wait_for(driver, lambda d: [p for p in folder.iterdir() if p.suffix != ".crdownload"], 60, "the download")
    return done[0]


def choose(driver: WebDriver, dropdown: str, label_part: str) -> None:
    driver.find_element(By.CSS_SELECTOR, f"#{dropdown} input").click()
    options = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, f"#{dropdown} li"), 10, f"the options of {dropdown}")
    next(o for o in options if label_part in (o.get_attribute("aria-label") or "")).click()


def test_policy_matching_tab_lists_measures_and_downloads_them(server, driver, tmp_path):
    from openpyxl import load_workbook

    open_tab(driver, server, "政策匹配", "#zc-match-text textarea")
    driver.find_element(By.CSS_SELECTOR, "#zc-match-text textarea").send_keys(
        "我们是东莞的一家家具厂,80人,出口为主,想做品牌、参与标准制定")
    driver.find_element(By.XPATH, "//*[@id='zc-match-wants']//label[normalize-space()='融资/保险']").click()   # the form too
    driver.find_element(By.ID, "zc-match-run").click()
    rows = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#zc-match-table tbody tr"), 60, "the measures")
    table = driver.find_element(By.ID, "zc-match-table").text
    assert len(rows) > 10 and "生态家居" in table and "二、(五)17." in table and "行业:家具" in table
    assert rows[0].find_element(By.CSS_SELECTOR, "td").text == "品牌"          # the first want first
    assert "融资/保险" in table and "想要:品牌、标准、融资/保险" in driver.find_element(By.ID, "zc-match-result").text
    driver.execute_script("document.getElementById('zc-match-result').scrollIntoView()")
    shot(driver, "14-match")

    book = load_workbook(download(driver, "#zc-match-xlsx a", tmp_path))
    listed = book["适用措施"]
    assert book.sheetnames == ["适用措施", "需补充条件"] and listed.freeze_panes == "A2"
    assert listed.max_row == len(rows) + 1 and listed["A1"].value == "类别" and listed["A1"].font.b
    assert any("生态家居" in (c.value or "") for c in listed["F"])
    shot(driver, "15-match-downloaded")


def test_duty_tab_lists_a_unit_s_clauses_and_a_document_s_matrix_with_downloads(server, driver, tmp_path):
    from openpyxl import load_workbook

    open_tab(driver, server, "部门职责", "#zc-duty-unit input, #zc-duty-unit textarea")
    box = driver.find_element(By.CSS_SELECTOR, "#zc-duty-unit input, #zc-duty-unit textarea")
    box.send_keys("市场监管局")                                          # today's name; 汕头 writes 市質監局
    choose(driver, "zc-duty-place", "汕头")
    driver.find_element(By.ID, "zc-duty-run").click()
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#zc-duty-result table tbody tr"), 60, "the duty table")
    result = driver.find_element(By.ID, "zc-duty-result").text
    assert "市場監管局" not in result and "市質監局" in result and "牵头" in result and "汕头" in result
    assert "2018年机构改革" in result                                  # which name the plan uses, and why
    shot(driver, "16-duties")
    book = load_workbook(download(driver, "#zc-duty-xlsx a", tmp_path / "duties"))
    [sheet] = book.worksheets                                            # one document: one sheet
    assert sheet.title.startswith("汕头") and sheet.freeze_panes == "C2" and sheet["E2"].font.b

    choose(driver, "zc-tasks-doc", "东莞")
    driver.find_element(By.ID, "zc-tasks-run").click()
    cells = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#zc-tasks-table tbody td b"), 60, "the matrix")
    assert {c.text for c in cells} == {"责任单位(首位)"}                # 东莞 lists 责任单位, first-named marked
    driver.execute_script("document.getElementById('zc-tasks-result').scrollIntoView()")
    shot(driver, "17-tasks")
    book = load_workbook(download(driver, "#zc-tasks-xlsx a", tmp_path / "tasks"))
    assert book.sheetnames == ["分工表", "矩阵"] and book["矩阵"].freeze_panes == "C2"
    marked = [c for row in book["矩阵"].iter_rows(min_row=2) for c in row if c.value == "责任单位(首位)"]
    assert marked and all(c.font.b for c in marked)
