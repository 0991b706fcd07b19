"""
Interpretable text classification and early detection with SS3
================================================================

:class:`~statkit.text.SS3Classifier` is the SS3 classifier of Burdisso,
Errecalde and Montes-y-Gómez (2019). It learns how often each class's
documents use each word, turns the counts into a confidence value for every
word and class, and scores a document by adding up the confidence values of
its words. Every decision can therefore be read off the words that made it,
the model can keep learning from new documents, and a stream of writings can
be scored as it grows.

This example trains SS3 on a small handwritten corpus of posts about food,
sport and health (built in the script, so it needs no data files), looks at
the words it relies on, explains one decision, trains it again in two shards
and merges them, and finally reads streams of posts to flag, as early as
possible, the subjects who write about health.
"""

import numpy as np

# %%
# A small corpus
# --------------
# Each class has twelve short posts. A document is two of its class's posts,
# drawn at random, so that the words of a class recur across documents: SS3
# gives no weight to a word a class has seen only once.
posts = {
    "food": [
        "I cooked a spicy tomato pasta with garlic and fresh basil",
        "The new pizza place downtown bakes the best sourdough crust",
        "Try this recipe: roast the chicken with lemon, garlic and rosemary",
        "Our dinner was a creamy mushroom risotto and a glass of red wine",
        "Homemade bread with butter is the best breakfast",
        "This chocolate cake recipe needs only five ingredients",
        "We had sushi, ramen and green tea at the market",
        "Grill the vegetables, then season them with olive oil and salt",
        "The chef served a delicious soup with fresh bread",
        "Baking cookies with cinnamon and brown sugar this afternoon",
        "A healthy salad with avocado, beans and a lemon dressing",
        "Street tacos with spicy salsa are my favourite lunch",
    ],
    "sport": [
        "What a goal in the last minute, the team won the match",
        "The coach changed the lineup before the second half",
        "She ran the marathon in under three hours",
        "Our team lost the final after a penalty shootout",
        "The striker scored twice and the fans went wild",
        "Great tennis match: five sets and a tiebreak at the end",
        "The league table is tight with two games left in the season",
        "He signed a new contract with the club for three seasons",
        "Training hard for the championship next month",
        "The referee gave a red card in the first half",
        "Basketball playoffs start tonight, the stadium is sold out",
        "The cyclist won the stage and kept the yellow jersey",
    ],
    "health": [
        "My doctor says I need more sleep and less stress",
        "Feeling tired and anxious all week, I could not sleep",
        "The flu season is here, get your vaccine at the clinic",
        "Regular exercise lowers blood pressure and the risk of heart disease",
        "I have had a headache and a fever since Monday",
        "Therapy helped me cope with anxiety and stress",
        "Drink water, eat vegetables and sleep eight hours",
        "The hospital opened a new clinic for mental health",
        "My blood test results came back normal",
        "Stress and poor sleep weaken the immune system",
        "The nurse checked my blood pressure and gave me a prescription",
        "Walking every day is good for your heart and your mood",
    ],
}

rng = np.random.default_rng(0)
documents, labels = [], []
for label, texts in posts.items():
    for _ in range(40):
        first, second = rng.choice(len(texts), size=2, replace=False)
        documents.append(f"{texts[first]}. {texts[second]}.")
        labels.append(label)
labels = np.array(labels)
print(f"{len(documents)} documents, e.g. {documents[0]!r}")

# %%
# Fitting the pipeline
# --------------------
# :func:`~statkit.text.make_ss3_pipeline` is a ``CountVectorizer`` with
# pyss3's text preprocessing (:func:`~statkit.text.ss3_preprocess`) followed
# by an :class:`~statkit.text.SS3Classifier` at pyss3's default
# hyperparameters (``s=0.45, l=0.5, p=1``). It is an ordinary scikit-learn
# ``Pipeline``: it takes raw strings.
from statkit.text import make_ss3_pipeline

model = make_ss3_pipeline().fit(documents, labels)
print(model.predict(["Pasta with garlic for dinner", "The team won the final", "Poor sleep"]))

# %%
# The words SS3 relies on
# -----------------------
# The model is linear: ``confidence_values_[c, j]`` is what one occurrence of
# term ``j`` adds to the confidence of class ``c``, normalised so that the
# best word of each class has value 1. The words shared by every class
# ("the", "and", "a", "with") get 0: their significance is low for every
# class, and the sanction removes what is left. With only twelve posts per
# class, a few function words occur in one class only ("this" in food, "your"
# in health, "in" in sport), and SS3 takes them at face value: the corpus, not
# a list, decides what is a stop word.
import matplotlib.pyplot as plt

vectorizer, ss3 = model[0], model[-1]
terms = vectorizer.get_feature_names_out()
fig, axes = plt.subplots(1, 3, figsize=(11, 3.8), layout="constrained")
for ax, label, values in zip(axes, ss3.classes_, ss3.confidence_values_, strict=True):
    top = np.argsort(values)[::-1][:10]
    ax.barh(terms[top][::-1], values[top][::-1], color="tab:orange")
    ax.set_xlim(0, 1.05)
    ax.set_title(label)
    ax.set_xlabel("confidence value")
fig.suptitle("The ten words of largest confidence value in each class")
plt.show()

for word in ("the", "and", "sleep", "team", "garlic"):
    column = vectorizer.vocabulary_[word]
    values = ss3.confidence_values_[:, column]
    shown = ", ".join(f"{c} {v:.3f}" for c, v in zip(ss3.classes_, values, strict=True))
    print(f"{word:>6}: {shown}")

# %%
# Explaining a decision
# ---------------------
# :func:`~statkit.text.explain` splits a document's confidence vector into the
# contributions of its words, sentences and paragraphs. They add up exactly to
# what the classifier computed. Words the model never saw ("slept", "badly")
# and words every class uses ("the", "and") contribute nothing; "tonight"
# counts for sport, where the training posts used it.
from statkit.text import explain

post = "Slept badly again and the headache is back.\nDinner tonight: spicy pasta with garlic."
explanation = explain(model, post)
print("classes:   ", explanation.classes.tolist())
print("confidence:", explanation.confidence.round(2).tolist())
for word in explanation.words:
    if word.confidence.any():
        print(f"  {word.text:>10}  {word.confidence.round(2).tolist()}")
for sentence in explanation.sentences:
    print(f"  {sentence.text.strip()!r}: {sentence.confidence.round(2).tolist()}")
np.testing.assert_allclose(
    explanation.confidence, ss3.confidence_vectors(vectorizer.transform([post]))[0]
)

# %%
# ``to_html`` returns the document as an HTML ``<div>``, each word
# highlighted by its confidence for one class, ready for a notebook
# (``IPython.display.HTML``) or a report.
html = explanation.to_html("health")
print(type(html).__name__, len(html), "characters:", html[:90], "...")

# %%
# Learning is counting: ``partial_fit`` and ``merge``
# ---------------------------------------------------
# The only state of SS3 is a class × term count matrix, ``feature_count_``.
# ``partial_fit`` adds a batch of documents to it and ``merge`` adds two
# models' counts, so models trained on shards of a corpus (on different
# machines, say) merge into the model of the whole corpus, exactly. The
# shards must share the columns: here the fitted vectorizer's vocabulary.
from statkit.text import SS3Classifier

X = vectorizer.transform(documents)
classes = np.unique(labels)
shards = np.array_split(rng.permutation(len(documents)), 2)
left = SS3Classifier().partial_fit(X[shards[0]], labels[shards[0]], classes=classes)
right = SS3Classifier().partial_fit(X[shards[1]], labels[shards[1]], classes=classes)
merged = left.merge(right)
same_counts = np.array_equal(merged.feature_count_, ss3.feature_count_)
same_values = np.array_equal(merged.confidence_values_, ss3.confidence_values_)
print(f"merged = full fit: counts {same_counts}, confidence values {same_values}")

# %%
# Hyperparameters change the values, not the counts: ``set_params`` recomputes
# the confidence values from the stored counts, without reading a document
# again.
merged.set_params(s=0.32, l=1.24, p=1.1)
print("accuracy on the training documents:", (merged.predict(X) == labels).mean())

# %%
# Early detection over streams of posts
# -------------------------------------
# Thirty subjects write twelve posts each. One in three is "at risk" and
# writes about health half of the time, the others never do. The posts are
# new: none of them was in the training corpus. SS3's confidence is a sum, so
# the confidence of the posts read so far is a running sum.
# :class:`~statkit.text.MarginPolicy` flags a subject at the first post where
# the running health confidence leads every other class by more than
# ``margin``; :func:`~statkit.text.early_decisions` applies it to each stream.
from sklearn.metrics import f1_score, precision_score, recall_score

from statkit.text import MarginPolicy, early_decisions, erde_score

new_posts = {
    "health": [
        "Another night without sleep, the stress is too much",
        "Booked a doctor appointment for my headache",
        "The clinic says my blood pressure is too high",
        "Anxious and tired again today",
        "Started therapy this week for my anxiety",
    ],
    "other": [
        "Made pizza with fresh basil and garlic",
        "What a match, our team scored in the last minute",
        "Trying a new soup recipe with mushroom and lemon",
        "The coach was furious after the final",
        "Chocolate cookies for breakfast",
        "Tickets for the tennis final are sold out",
    ],
}
streams, truth = [], []
for subject in range(30):
    at_risk = subject % 3 == 0
    picks = rng.random(12) < (0.5 if at_risk else 0.0)
    streams.append([rng.choice(new_posts["health" if pick else "other"]) for pick in picks])
    truth.append("health" if at_risk else "other")
truth = np.array(truth)

for margin in (0.0, 1.0, 2.0):
    policy = MarginPolicy("health", margin)
    decided = early_decisions(model, streams, policy, negative_class="other")
    scores = {
        "ERDE_5": erde_score(truth, decided.y_pred, decided.delays, o=5, positive_label="health"),
        "ERDE_50": erde_score(truth, decided.y_pred, decided.delays, o=50, positive_label="health"),
        "precision": precision_score(truth, decided.y_pred, pos_label="health", zero_division=0),
        "recall": recall_score(truth, decided.y_pred, pos_label="health"),
        "F1": f1_score(truth, decided.y_pred, pos_label="health"),
    }
    alerted = decided.y_pred == "health"
    delay = decided.delays[alerted].mean() if alerted.any() else float("nan")
    print(
        f"margin {margin:g}: "
        + ", ".join(f"{name} {value:.3f}" for name, value in scores.items())
        + f", mean delay of an alert {delay:.1f} posts"
    )

# %%
# ERDE (lower is better) charges a missed at-risk subject 1, a false alert the
# share of at-risk subjects, and a correct alert after ``k`` posts
# ``1 - 1 / (1 + exp(k - o))``: almost nothing before the ``o``-th post,
# almost a miss after it. With ``o = 5`` speed counts; with ``o = 50`` every
# alert on these 12-post streams is early enough, and ERDE_50 counts only the
# errors. A margin of 0 (alert as soon as health leads) alerts earliest; a
# larger margin waits for more evidence, so its alerts come later and some
# never come. The plot shows the running lead of health over the best other
# class, subject by subject: the at-risk subjects who are missed also write
# about food and sport, and that running confidence keeps pace with their
# health confidence.
decided = early_decisions(model, streams, MarginPolicy("health", 1.0), negative_class="other")
column = list(ss3.classes_).index("health")
fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
for running, label in zip(decided.running, truth, strict=True):
    lead = running[:, column] - np.delete(running, column, axis=1).max(axis=1)
    ax.plot(np.arange(1, 13), lead, color="C3" if label == "health" else "C0", alpha=0.4)
ax.axhline(1.0, color="black", linestyle="--", linewidth=1, label="margin 1")
ax.plot([], [], color="C3", label="at-risk subjects")
ax.plot([], [], color="C0", label="other subjects")
ax.set_xlabel("posts read")
ax.set_ylabel("health confidence minus the best other")
ax.legend()
plt.show()
