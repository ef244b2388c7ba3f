//! CloudFront Functions and key value stores on AWS: the functions and the stores' control
//! plane through `aws-sdk-cloudfront`, a store's items through `aws-sdk-cloudfrontkeyvaluestore`
//! (its own service, signed with SigV4A at an account-specific endpoint the SDK derives from
//! the store's ARN), both built from one `SdkConfig`.

use std::time::Duration;

use aws_sdk_cloudfront::types::{
    FunctionConfig, FunctionRuntime, FunctionStage, FunctionSummary, KeyValueStore,
    KeyValueStoreAssociation, KeyValueStoreAssociations,
};
use aws_sdk_cloudfrontkeyvaluestore::error::ProvideErrorMetadata;
use aws_sdk_cloudfrontkeyvaluestore::types::{DeleteKeyRequestListItem, PutKeyRequestListItem};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::Blob;
use aws_smithy_types::date_time::{DateTime, Format};
use cfconsole_functions::kvs::Items;
use cfconsole_functions::{Event, Runtime};

use super::Aws;
use crate::error::{ControlError, Result};
use crate::functions::{
    FunctionRecord, FunctionTest, KvsItems, KvsRecord, Stage, check_update, update_batches,
};

/// How long `create_kvs` with items waits for a new store to be `READY` before importing.
const READY_WAIT: Duration = Duration::from_secs(120);

fn sdk_stage(s: Stage) -> FunctionStage {
    match s {
        Stage::Development => FunctionStage::Development,
        Stage::Live => FunctionStage::Live,
    }
}

fn time(t: &DateTime) -> String {
    t.fmt(Format::DateTime).unwrap_or_default()
}

fn missing(what: &str) -> ControlError {
    ControlError::Conversion {
        what: what.into(),
        detail: "missing from CloudFront's answer".into(),
    }
}

fn built<T>(what: &str, r: std::result::Result<T, impl std::fmt::Display>) -> Result<T> {
    r.map_err(|e| ControlError::Conversion {
        what: what.into(),
        detail: e.to_string(),
    })
}

fn function_config(comment: &str, runtime: Runtime, kvs: Option<String>) -> Result<FunctionConfig> {
    let mut b = FunctionConfig::builder()
        .comment(comment)
        .runtime(FunctionRuntime::from(runtime.as_str()));
    if let Some(arn) = kvs {
        let item = built(
            "KeyValueStoreAssociation",
            KeyValueStoreAssociation::builder()
                .key_value_store_arn(arn)
                .build(),
        )?;
        let list = built(
            "KeyValueStoreAssociations",
            KeyValueStoreAssociations::builder()
                .quantity(1)
                .items(item)
                .build(),
        )?;
        b = b.key_value_store_associations(list);
    }
    built("FunctionConfig", b.build())
}

/// A `FunctionSummary` and its ETag as a record; `fallback` is the stage asked for, when the
/// answer does not say.
pub(super) fn function_record(
    s: FunctionSummary,
    etag: Option<String>,
    fallback: Stage,
) -> Result<FunctionRecord> {
    let config = s
        .function_config
        .ok_or_else(|| missing("FunctionSummary.FunctionConfig"))?;
    let meta = s
        .function_metadata
        .ok_or_else(|| missing("FunctionSummary.FunctionMetadata"))?;
    let runtime =
        Runtime::parse(config.runtime.as_str()).map_err(|e| ControlError::Conversion {
            what: "FunctionConfig.Runtime".into(),
            detail: e,
        })?;
    let stage = match meta.stage {
        Some(FunctionStage::Live) => Stage::Live,
        Some(FunctionStage::Development) => Stage::Development,
        _ => fallback,
    };
    Ok(FunctionRecord {
        name: s.name,
        comment: config.comment,
        runtime,
        kvs_arn: config
            .key_value_store_associations
            .and_then(|a| a.items)
            .and_then(|i| i.into_iter().next())
            .map(|a| a.key_value_store_arn),
        stage,
        status: s.status.unwrap_or_default(),
        arn: meta.function_arn,
        etag: etag.unwrap_or_default(),
        created: meta.created_time.as_ref().map(time).unwrap_or_default(),
        modified: time(&meta.last_modified_time),
    })
}

fn kvs_record(s: KeyValueStore, etag: Option<String>) -> KvsRecord {
    KvsRecord {
        name: s.name,
        id: s.id,
        arn: s.arn,
        comment: s.comment,
        status: s.status.unwrap_or_default(),
        modified: time(&s.last_modified_time),
        etag: etag.unwrap_or_default(),
    }
}

impl Aws {
    /// Maps a data-plane error: a stale ETag is `ConflictException` (409) there, not 412.
    fn kvs_error<E>(
        &self,
        what: &str,
        sent: Option<&str>,
        err: SdkError<E, HttpResponse>,
    ) -> ControlError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        if let SdkError::ServiceError(se) = &err
            && se.err().code() == Some("ConflictException")
        {
            return ControlError::PreconditionFailed {
                what: what.into(),
                sent: sent.unwrap_or("").into(),
            };
        }
        self.error(what, sent, err)
    }

    pub(super) async fn list_functions_aws(
        &self,
        stage: Option<Stage>,
    ) -> Result<Vec<FunctionRecord>> {
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let page = self
                .client
                .list_functions()
                .set_stage(stage.map(sdk_stage))
                .set_marker(marker.clone())
                .send()
                .await
                .map_err(|e| self.error("the function list", None, e))?;
            let list = page
                .function_list
                .ok_or_else(|| missing("ListFunctions.FunctionList"))?;
            for s in list.items.unwrap_or_default() {
                // ListFunctions carries no ETags; DescribeFunction gives each.
                out.push(function_record(s, None, stage.unwrap_or_default())?);
            }
            match list.next_marker {
                Some(m) if !m.is_empty() && Some(&m) != marker.as_ref() => marker = Some(m),
                _ => return Ok(out),
            }
        }
    }

    pub(super) async fn describe_function_aws(
        &self,
        name: &str,
        stage: Stage,
    ) -> Result<FunctionRecord> {
        let out = self
            .client
            .describe_function()
            .name(name)
            .stage(sdk_stage(stage))
            .send()
            .await
            .map_err(|e| self.error(&format!("function {name} ({stage})"), None, e))?;
        let s = out
            .function_summary
            .ok_or_else(|| missing("DescribeFunction.FunctionSummary"))?;
        function_record(s, out.e_tag, stage)
    }

    pub(super) async fn function_code_aws(
        &self,
        name: &str,
        stage: Stage,
    ) -> Result<(String, String)> {
        let out = self
            .client
            .get_function()
            .name(name)
            .stage(sdk_stage(stage))
            .send()
            .await
            .map_err(|e| self.error(&format!("function {name} ({stage})"), None, e))?;
        let code = out
            .function_code
            .ok_or_else(|| missing("GetFunction.FunctionCode"))?;
        let code = String::from_utf8(code.into_inner()).map_err(|e| ControlError::Conversion {
            what: "GetFunction.FunctionCode".into(),
            detail: format!("not UTF-8: {e}"),
        })?;
        Ok((code, out.e_tag.unwrap_or_default()))
    }

    pub(super) async fn create_function_aws(
        &self,
        name: &str,
        comment: &str,
        runtime: Runtime,
        kvs_arn: Option<String>,
        code: String,
    ) -> Result<FunctionRecord> {
        let out = self
            .client
            .create_function()
            .name(name)
            .function_config(function_config(comment, runtime, kvs_arn)?)
            .function_code(Blob::new(code))
            .send()
            .await
            .map_err(|e| self.error(&format!("function {name}"), None, e))?;
        let s = out
            .function_summary
            .ok_or_else(|| missing("CreateFunction.FunctionSummary"))?;
        function_record(s, out.e_tag, Stage::Development)
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) async fn update_function_aws(
        &self,
        name: &str,
        if_match: &str,
        comment: &str,
        runtime: Runtime,
        kvs_arn: Option<String>,
        code: String,
    ) -> Result<FunctionRecord> {
        let config = function_config(comment, runtime, kvs_arn)?;
        let out = self
            .client
            .update_function()
            .name(name)
            .if_match(if_match)
            .function_config(config)
            .function_code(Blob::new(code))
            .send()
            .await
            .map_err(|e| self.error(&format!("function {name}"), Some(if_match), e))?;
        let s = out
            .function_summary
            .ok_or_else(|| missing("UpdateFunction.FunctionSummary"))?;
        function_record(s, out.e_tag, Stage::Development)
    }

    pub(super) async fn publish_function_aws(
        &self,
        name: &str,
        if_match: &str,
    ) -> Result<FunctionRecord> {
        let out = self
            .client
            .publish_function()
            .name(name)
            .if_match(if_match)
            .send()
            .await
            .map_err(|e| self.error(&format!("function {name}"), Some(if_match), e))?;
        let s = out
            .function_summary
            .ok_or_else(|| missing("PublishFunction.FunctionSummary"))?;
        // PublishFunction answers no ETag: the LIVE one is DescribeFunction's.
        let mut rec = function_record(s, None, Stage::Live)?;
        if let Ok(live) = self.describe_function_aws(name, Stage::Live).await {
            rec.etag = live.etag;
        }
        Ok(rec)
    }

    pub(super) async fn test_function_aws(
        &self,
        name: &str,
        if_match: &str,
        stage: Stage,
        event: &Event,
    ) -> Result<FunctionTest> {
        let out = self
            .client
            .test_function()
            .name(name)
            .if_match(if_match)
            .stage(sdk_stage(stage))
            .event_object(Blob::new(event.to_json().to_string()))
            .send()
            .await
            .map_err(|e| self.error(&format!("function {name} ({stage})"), Some(if_match), e))?;
        let r = out
            .test_result
            .ok_or_else(|| missing("TestFunction.TestResult"))?;
        Ok(FunctionTest {
            compute_utilization: r
                .compute_utilization
                .and_then(|c| c.trim().parse().ok())
                .unwrap_or(0),
            logs: r.function_execution_logs.unwrap_or_default(),
            error: r.function_error_message.filter(|m| !m.is_empty()),
            output: r.function_output.unwrap_or_default(),
        })
    }

    pub(super) async fn delete_function_aws(&self, name: &str, if_match: &str) -> Result<()> {
        self.client
            .delete_function()
            .name(name)
            .if_match(if_match)
            .send()
            .await
            .map_err(|e| self.error(&format!("function {name}"), Some(if_match), e))?;
        Ok(())
    }

    pub(super) async fn list_kvs_aws(&self) -> Result<Vec<KvsRecord>> {
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let page = self
                .client
                .list_key_value_stores()
                .set_marker(marker.clone())
                .send()
                .await
                .map_err(|e| self.error("the key value store list", None, e))?;
            let list = page
                .key_value_store_list
                .ok_or_else(|| missing("ListKeyValueStores.KeyValueStoreList"))?;
            out.extend(
                list.items
                    .unwrap_or_default()
                    .into_iter()
                    .map(|s| kvs_record(s, None)),
            );
            match list.next_marker {
                Some(m) if !m.is_empty() && Some(&m) != marker.as_ref() => marker = Some(m),
                _ => return Ok(out),
            }
        }
    }

    pub(super) async fn describe_kvs_aws(&self, name: &str) -> Result<KvsRecord> {
        let out = self
            .client
            .describe_key_value_store()
            .name(name)
            .send()
            .await
            .map_err(|e| self.error(&format!("key value store {name}"), None, e))?;
        let s = out
            .key_value_store
            .ok_or_else(|| missing("DescribeKeyValueStore.KeyValueStore"))?;
        Ok(kvs_record(s, out.e_tag))
    }

    /// Creates the store; items go in through the data plane once it is `READY`, in UpdateKeys
    /// batches (CloudFront's own import reads only from S3, `ImportSource`).
    pub(super) async fn create_kvs_aws(
        &self,
        name: &str,
        comment: &str,
        import: Option<Items>,
    ) -> Result<KvsRecord> {
        let out = self
            .client
            .create_key_value_store()
            .name(name)
            .comment(comment)
            .send()
            .await
            .map_err(|e| self.error(&format!("key value store {name}"), None, e))?;
        let s = out
            .key_value_store
            .ok_or_else(|| missing("CreateKeyValueStore.KeyValueStore"))?;
        let mut rec = kvs_record(s, out.e_tag);
        let Some(items) = import.filter(|i| !i.is_empty()) else {
            return Ok(rec);
        };
        let start = std::time::Instant::now();
        while !rec.status.eq_ignore_ascii_case("READY") {
            if start.elapsed() > READY_WAIT {
                return Err(ControlError::Other(format!(
                    "key value store {name} was created but is still {} after {} s; import \
                     its items later (cfconsole kvs import)",
                    rec.status,
                    READY_WAIT.as_secs()
                )));
            }
            tokio::time::sleep(Duration::from_secs(2)).await;
            rec = self.describe_kvs_aws(name).await?;
        }
        let puts: Vec<(String, String)> = items.iter().map(|(k, v)| (k.into(), v.into())).collect();
        let mut etag = self.kvs_items_etag(&rec.arn).await?;
        for (p, d) in update_batches(&puts, &[]) {
            etag = self.kvs_update_aws(&rec.arn, &etag, p, d).await?;
        }
        Ok(rec)
    }

    pub(super) async fn update_kvs_aws(
        &self,
        name: &str,
        if_match: &str,
        comment: &str,
    ) -> Result<KvsRecord> {
        let out = self
            .client
            .update_key_value_store()
            .name(name)
            .if_match(if_match)
            .comment(comment)
            .send()
            .await
            .map_err(|e| self.error(&format!("key value store {name}"), Some(if_match), e))?;
        let s = out
            .key_value_store
            .ok_or_else(|| missing("UpdateKeyValueStore.KeyValueStore"))?;
        Ok(kvs_record(s, out.e_tag))
    }

    pub(super) async fn delete_kvs_aws(&self, name: &str, if_match: &str) -> Result<()> {
        self.client
            .delete_key_value_store()
            .name(name)
            .if_match(if_match)
            .send()
            .await
            .map_err(|e| self.error(&format!("key value store {name}"), Some(if_match), e))?;
        Ok(())
    }

    /// The data-plane ETag (DescribeKeyValueStore of `cloudfront-keyvaluestore`).
    async fn kvs_items_etag(&self, arn: &str) -> Result<String> {
        let out = self
            .kvs
            .describe_key_value_store()
            .kvs_arn(arn)
            .send()
            .await
            .map_err(|e| self.kvs_error(&format!("key value store {arn}"), None, e))?;
        Ok(out.e_tag)
    }

    pub(super) async fn kvs_items_aws(&self, arn: &str) -> Result<KvsItems> {
        let etag = self.kvs_items_etag(arn).await?;
        let mut pairs = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .kvs
                .list_keys()
                .kvs_arn(arn)
                .max_results(50)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| self.kvs_error(&format!("key value store {arn}"), None, e))?;
            pairs.extend(
                page.items
                    .unwrap_or_default()
                    .into_iter()
                    .map(|i| (i.key, i.value)),
            );
            match page.next_token {
                Some(t) if !t.is_empty() && Some(&t) != token.as_ref() => token = Some(t),
                _ => break,
            }
        }
        let items = Items::from_pairs(pairs).map_err(|e| ControlError::Conversion {
            what: format!("the items of {arn}"),
            detail: e.to_string(),
        })?;
        Ok(KvsItems { items, etag })
    }

    pub(super) async fn kvs_get_aws(&self, arn: &str, key: &str) -> Result<Option<String>> {
        match self.kvs.get_key().kvs_arn(arn).key(key).send().await {
            Ok(out) => Ok(Some(out.value)),
            Err(SdkError::ServiceError(se))
                if se.err().code() == Some("ResourceNotFoundException") =>
            {
                // The key, or the store? A store that answers has no such key.
                self.kvs_items_etag(arn).await.map(|_| None)
            }
            Err(e) => Err(self.kvs_error(&format!("key {key:?} of {arn}"), None, e)),
        }
    }

    pub(super) async fn kvs_update_aws(
        &self,
        arn: &str,
        if_match: &str,
        puts: Vec<(String, String)>,
        deletes: Vec<String>,
    ) -> Result<String> {
        check_update(&puts, &deletes)?;
        let what = format!("the items of key value store {arn}");
        let puts = puts
            .into_iter()
            .map(|(k, v)| {
                built(
                    "PutKeyRequestListItem",
                    PutKeyRequestListItem::builder().key(k).value(v).build(),
                )
            })
            .collect::<Result<Vec<_>>>()?;
        let deletes = deletes
            .into_iter()
            .map(|k| {
                built(
                    "DeleteKeyRequestListItem",
                    DeleteKeyRequestListItem::builder().key(k).build(),
                )
            })
            .collect::<Result<Vec<_>>>()?;
        let out = self
            .kvs
            .update_keys()
            .kvs_arn(arn)
            .if_match(if_match)
            .set_puts(Some(puts).filter(|p| !p.is_empty()))
            .set_deletes(Some(deletes).filter(|d| !d.is_empty()))
            .send()
            .await
            .map_err(|e| self.kvs_error(&what, Some(if_match), e))?;
        Ok(out.e_tag)
    }

    pub(super) async fn kvs_put_aws(
        &self,
        arn: &str,
        if_match: &str,
        key: &str,
        value: &str,
    ) -> Result<String> {
        let out = self
            .kvs
            .put_key()
            .kvs_arn(arn)
            .if_match(if_match)
            .key(key)
            .value(value)
            .send()
            .await
            .map_err(|e| self.kvs_error(&format!("key {key:?} of {arn}"), Some(if_match), e))?;
        Ok(out.e_tag)
    }

    pub(super) async fn kvs_delete_aws(
        &self,
        arn: &str,
        if_match: &str,
        key: &str,
    ) -> Result<String> {
        let out = self
            .kvs
            .delete_key()
            .kvs_arn(arn)
            .if_match(if_match)
            .key(key)
            .send()
            .await
            .map_err(|e| self.kvs_error(&format!("key {key:?} of {arn}"), Some(if_match), e))?;
        Ok(out.e_tag)
    }
}
