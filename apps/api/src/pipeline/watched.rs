//! What the pipeline page watches: the platform's topics and consumer groups (one list,
//! `events::consumer_groups`) and the stream job's name; tests watch their own.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watched {
    pub topics: Vec<String>,
    pub groups: Vec<WatchedGroup>,
    /// The Flink job's name.
    pub stream_job: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchedGroup {
    pub id: String,
    pub role: String,
    pub topics: Vec<String>,
}

impl Watched {
    pub fn platform() -> Self {
        Self {
            topics: events::TOPICS
                .iter()
                .map(|(name, _)| (*name).to_owned())
                .collect(),
            groups: events::consumer_groups::ALL
                .iter()
                .map(|group| WatchedGroup {
                    id: group.id.to_owned(),
                    role: group.role.to_owned(),
                    topics: group.topics.iter().map(|t| (*t).to_owned()).collect(),
                })
                .collect(),
            stream_job: events::consumer_groups::STREAM_JOB_NAME.to_owned(),
        }
    }

    /// Every topic whose offsets are needed, each once, in order of appearance.
    pub(crate) fn all_topics(&self) -> Vec<String> {
        let mut all: Vec<String> = Vec::new();
        let groups = self.groups.iter().flat_map(|group| group.topics.iter());
        for topic in self.topics.iter().chain(groups) {
            if !all.contains(topic) {
                all.push(topic.clone());
            }
        }
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_platform_is_watched_and_each_topic_read_once() {
        let watched = Watched::platform();
        assert_eq!(watched.topics.len(), events::TOPICS.len());
        let roles: Vec<&str> = watched.groups.iter().map(|g| g.role.as_str()).collect();
        assert_eq!(
            roles,
            ["projector", "stream_job", "inventory", "orders_saga"]
        );
        let all = watched.all_topics();
        assert_eq!(all.len(), events::TOPICS.len(), "{all:?}");
    }
}
