"""Finding residents' questions, tying them to the hosts' Qn, linking the hosts' answers."""

from __future__ import annotations

import pytest

from events.models import ModerationAction, TrackedQuestion
from events.services.questions import (
    detect_questions,
    host_question_number,
    labelled_question_number,
    mark_not_question,
    question_rule,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("How do I report a pothole on my block? #Philly311NLP", "question_mark"),
        (
            "A1: I call 311 but never hear back. Is there a way to track my request?",
            "question_mark",
        ),
        ("Does the 311 app work in Spanish?? asking for my mom", "question_mark"),
        ("@philly311 when does leaf collection start in Roxborough?", "question_mark"),
        ("Q: who do I call about a broken streetlight on Frankford Ave", "q_prefix"),
        ("#Philly311NLP Question: can liaisons help with L&I complaints", "q_prefix"),
        ("¿Cómo puedo reportar un bache en mi cuadra? #Philly311NLP", "question_mark"),
        ("¿Dónde puedo pedir un contenedor de reciclaje #Philly311NLP", "question_mark"),
        ("Pregunta: el 311 tiene servicio en español", "q_prefix"),
        ("Is there a fee for bulk trash pickup\uff1f", "question_mark"),  # full-width mark
        ("A2: trash pickup and illegal dumping #Philly311NLP", None),
        ("R1: Llamo al 311 pero nunca me responden. #Philly311NLP", None),
        ("Great chat! More at https://www.phila.gov/311/?lang=en #Philly311NLP", None),
        ("RT @philly311: Q1: How do you reach Philly311 today? #Philly311NLP", None),
        ('A1: like they asked, "how do you reach 311?" I use the app.', None),
        ("🤔?? #Philly311NLP", None),
        ("@philly311? lol", None),
        ("Thanks for hosting!!! #Philly311NLP", None),
        ("", None),
    ],
)
def test_question_rule_over_realistic_posts(text, rule):
    assert question_rule(text) == rule


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Q1: How do you reach Philly311 today? #Philly311NLP", 1),
        ("#Philly311NLP Q2. Which problems would you report?", 2),
        ("P3: ¿Qué problemas reportaría? #Philly311NLP", 3),
        ("Welcome to #Philly311NLP! Q1 is coming up in 5 minutes", None),
    ],
)
def test_host_question_number_reads_the_qn_label(text, number):
    assert host_question_number(text) == number


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("A1: I call 311. Can I track it?", 1),
        ("@philly311 a2 more trash cans?", 2),
        ("R3: ¿Y los fines de semana?", 3),
        ("About Q2, does that include graffiti?", 2),
        ("A bulk pickup? A 5 minute walk?", None),
    ],
)
def test_labelled_question_number_reads_a1_and_r1_labels(text, number):
    assert labelled_question_number(text) == number


def _tracked(chat):
    return list(
        TrackedQuestion.objects.filter(chat=chat)
        .order_by("post__created_at")
        .values_list(
            "post__text", "status", "rule", "announced_question__position",
            "answer_post__text",
        )
    )  # fmt: skip


def test_detect_questions_tracks_residents_questions_once(chat, make_post):
    make_post("How do I get a recycling bin?", minute=1)
    make_post("Thanks for having us", minute=2)
    make_post("Any news on the Q1 answers?", minute=3, author="philly311", official=True)
    make_post("Who handles graffiti?", minute=4, hidden=True, hidden_reason="spam")
    make_post("Is this chat over?", minute=5, deleted_at=chat.starts_at)
    make_post("Q: where is the nearest sanitation center", minute=6)

    first = detect_questions(chat=chat)
    second = detect_questions(chat=chat)

    assert _tracked(chat) == [
        ("How do I get a recycling bin?", "open", "question_mark", None, None),
        ("Q: where is the nearest sanitation center", "open", "q_prefix", None, None),
    ]
    assert (first.created, second.created) == (2, 0)


def test_question_replying_to_a_hosts_qn_post_is_tied_to_that_question(chat, announced, make_post):
    make_post("Q2: Which problems would you report?", minute=20, author="philly311",
                   official=True, external_key="500")  # fmt: skip
    reply = make_post("Abandoned cars. Who tows them?", minute=22, reply_to_key="500",
                      external_key="501")  # fmt: skip
    make_post("Can we report noise too?", minute=23, reply_to_key="501")  # deeper in the thread
    make_post("A1: Does the app have a map?", minute=24)  # labelled, not a reply

    detect_questions(chat=chat)

    assert [(text, q) for text, _s, _r, q, _a in _tracked(chat)] == [
        (reply.text, 2),
        ("Can we report noise too?", 2),
        ("A1: Does the app have a map?", 1),
    ]


def test_hosts_reply_answers_the_question(chat, make_post):
    question = make_post("How do I report a pothole?", minute=5, external_key="600")
    make_post("@rosa Use the 311 app.", minute=7, author="philly311", official=True,
              reply_to_key="600", conversation_key="600")  # fmt: skip

    result = detect_questions(chat=chat)

    assert _tracked(chat) == [
        (question.text, "answered", "question_mark", None, "@rosa Use the 311 app.")
    ]
    assert result.answered == 1
    assert list(ModerationAction.objects.values_list("action", "by", "detail__automatic")) == [
        ("question_status", None, True)
    ]


def test_hosts_post_further_down_the_thread_answers_the_question(chat, make_post):
    make_post("Where do I get a bin?", minute=5, external_key="700")
    make_post("Same question here", minute=6, author="sam", reply_to_key="700",
              external_key="701")  # fmt: skip
    make_post("@sam @rosa At any sanitation center.", minute=9, author="philly311",
              official=True, reply_to_key="701")  # fmt: skip

    detect_questions(chat=chat)

    assert _tracked(chat)[0][1:] == (
        "answered", "question_mark", None, "@sam @rosa At any sanitation center."
    )  # fmt: skip


def test_hosts_post_in_the_conversation_naming_the_author_answers_the_question(chat, make_post):
    # On X, replies in between may lack the hashtag and never be captured: the host's
    # answer then replies to a post we do not have, but names the asker.
    make_post("Q1: How do you reach Philly311?", minute=1, author="philly311", official=True,
              external_key="800", conversation_key="800")  # fmt: skip
    make_post("A1: the app. Can I attach photos?", minute=3, external_key="801",
              reply_to_key="800", conversation_key="800")  # fmt: skip
    make_post("@someone_else yes!", minute=4, author="philly311", official=True,
              reply_to_key="899", conversation_key="800")  # fmt: skip
    make_post("@Rosa yes, up to 3 photos.", minute=6, author="philly311", official=True,
              reply_to_key="802", conversation_key="800")  # fmt: skip

    detect_questions(chat=chat)

    assert _tracked(chat)[0][1:] == (
        "answered", "question_mark", None, "@Rosa yes, up to 3 photos."
    )  # fmt: skip


def test_hosts_posts_elsewhere_or_before_do_not_answer(chat, make_post):
    make_post("@rosa we'll get to that", minute=1, author="philly311", official=True,
              conversation_key="900")  # before the question  # fmt: skip
    make_post("How late is 311 open?", minute=2, external_key="901", conversation_key="900",
              reply_to_key="900")  # fmt: skip
    make_post("Q2: next question!", minute=5, author="philly311", official=True,
              conversation_key="950")  # fmt: skip
    make_post("Not an answer, just a reply", minute=6, author="sam", reply_to_key="901")

    detect_questions(chat=chat)

    assert [row[1] for row in _tracked(chat)] == ["open"]


def test_detection_leaves_staff_decisions_alone(chat, make_post, comms):
    dismissed = make_post("Who's watching the game tonight?", minute=1, external_key="1001")
    mark_not_question(post_id=dismissed.pk, by=comms)
    make_post("@rosa lol", minute=2, author="philly311", official=True, reply_to_key="1001")

    detect_questions(chat=chat)

    assert _tracked(chat) == [(dismissed.text, "dismissed", "staff", None, None)]


def test_question_found_before_the_hosts_qn_post_is_tied_when_it_arrives(
    chat, announced, make_post
):
    make_post("Do you fix streetlights too?", minute=21, reply_to_key="1100")
    detect_questions(chat=chat)
    make_post("Q2: Which problems would you report?", minute=20, author="philly311",
              official=True, external_key="1100")  # fmt: skip

    result = detect_questions(chat=chat)

    assert (result.tied, _tracked(chat)[0][3]) == (1, 2)


def test_capture_poll_runs_question_detection(settings, chat):
    from events.services.capture import poll_source
    from tests.factories import CaptureSourceFactory
    from tests.fakes.x import FakeX

    with FakeX() as fake:
        settings.X_API_BASE_URL = fake.url
        settings.X_BEARER_TOKEN = fake.token
        settings.HTTP_TIMEOUT_SECONDS = 2.0
        fake.add_tweet("How do I join the liaison program? #PhillyTrash")
        fake.add_tweet("Great chat #PhillyTrash")
        source = CaptureSourceFactory(chat=chat, query="#PhillyTrash")

        poll_source(source_id=source.pk, force=True)

    assert [row[0] for row in _tracked(chat)] == ["How do I join the liaison program? #PhillyTrash"]
