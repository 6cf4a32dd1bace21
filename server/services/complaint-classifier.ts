// The complaint classifier the app runs with: trained at start on the shipped corpus over every category
// of the taxonomy (officers' corrections are replayed on top by the caller, see app.ts).
import { trainClassifier, type Classifier } from '../classify/classifier';
import { loadCorpus } from '../classify/corpus';
import { CATEGORIES } from '../domain/case-categories';

export type TrainedClassifier = Classifier;

/** Loads the corpus and trains (synchronous; about a second, plus ~0.2 s to load the word dictionary). */
export function complaintClassifier(): TrainedClassifier {
  return trainClassifier(loadCorpus(), { labels: CATEGORIES.map((c) => c.code) });
}
