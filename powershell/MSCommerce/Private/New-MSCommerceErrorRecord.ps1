function New-MSCommerceErrorRecord {
    <#
    .SYNOPSIS
        Creates the ErrorRecord that every MSCommerce failure is reported with.

    .DESCRIPTION
        Creates an exception whose type follows the category (UnauthorizedAccessException for AuthenticationError
        and PermissionDenied, ItemNotFoundException for ObjectNotFound, ArgumentException for InvalidArgument,
        WebException for ConnectionError and OperationTimeout, InvalidOperationException otherwise), copies -Data
        into its Data dictionary, and wraps it in an ErrorRecord with -ErrorId, -Category and -TargetObject.
        Nothing is written or thrown: the caller decides.

    .PARAMETER Message
        The message people read.

    .PARAMETER ErrorId
        The ErrorId: the service's errorCode when there is one.

    .PARAMETER Category
        The ErrorCategory.

    .PARAMETER TargetObject
        What the failed operation was about.

    .PARAMETER InnerException
        The exception that caused the failure.

    .PARAMETER RecommendedAction
        What to do about it, shown by Get-Error and $Error[0].ErrorDetails.

    .PARAMETER Data
        Values copied into the exception's Data dictionary (StatusCode, ErrorCode, Reason, ResponseBody,
        CorrelationId, Uri).

    .EXAMPLE
        $PSCmdlet.WriteError((New-MSCommerceErrorRecord -Message 'Bad value' -ErrorId 'InvalidEnabledValue' -Category 'InvalidArgument'))

        Writes a non-terminating error.

    .OUTPUTS
        System.Management.Automation.ErrorRecord.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '',
        Justification = 'Creates an object in memory; changes no state.')]
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory)]
        [string]$Message,

        [Parameter(Mandatory)]
        [string]$ErrorId,

        [Parameter(Mandatory)]
        [System.Management.Automation.ErrorCategory]$Category,

        [object]$TargetObject,

        [System.Exception]$InnerException,

        [string]$RecommendedAction,

        [System.Collections.IDictionary]$Data
    )

    $typeName = switch ($Category) {
        'AuthenticationError' { 'System.UnauthorizedAccessException' }
        'PermissionDenied' { 'System.UnauthorizedAccessException' }
        'ObjectNotFound' { 'System.Management.Automation.ItemNotFoundException' }
        'InvalidArgument' { 'System.ArgumentException' }
        'ConnectionError' { 'System.Net.WebException' }
        'OperationTimeout' { 'System.Net.WebException' }
        default { 'System.InvalidOperationException' }
    }
    if ($null -eq $InnerException) {
        $exception = New-Object -TypeName $typeName -ArgumentList $Message
    }
    else {
        $exception = New-Object -TypeName $typeName -ArgumentList $Message, $InnerException
    }
    if ($null -ne $Data) {
        foreach ($key in $Data.Keys) {
            $exception.Data[$key] = $Data[$key]
        }
    }

    $arguments = @($exception, $ErrorId, $Category, $TargetObject)
    $record = New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList $arguments
    if (-not [string]::IsNullOrEmpty($RecommendedAction)) {
        $record.ErrorDetails = New-Object -TypeName System.Management.Automation.ErrorDetails -ArgumentList $Message
        $record.ErrorDetails.RecommendedAction = $RecommendedAction
    }
    return $record
}
